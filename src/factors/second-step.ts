import type { Request, Response } from 'express';
import { wantsJson } from '../http/negotiate';
import type { PendingSecondStep } from '../session/session-data';
import { regenerateSession } from '../session/session-ops';
import type { FactorStore } from './factors.store';
import { matchTotp } from './totp';

/** How long after the right password the code may be given. */
export const SECOND_STEP_MS = 10 * 60_000;

/**
 * Called by the login handler once the password is right (src/auth/auth.handlers.ts): for an account with
 * authenticator codes, the visitor is *not* signed in — the session only remembers that the password was
 * right, for whom, for a few minutes — and is sent to the second step. Returns false for other accounts.
 */
export async function beginSecondStep(
  req: Request,
  res: Response,
  factors: FactorStore,
  pending: Omit<PendingSecondStep, 'at'>,
  now: number,
): Promise<boolean> {
  if (!(await factors.hasTwoFactor(pending.userId))) return false;
  // A visitor signed in as someone else who logs in again stops being them now, not after the code.
  if (req.session.user) await regenerateSession(req);
  req.session.pendingSecondStep = { ...pending, at: now };
  req.log?.info(
    { event: 'login_second_step', username: pending.username, ip: req.ip },
    'password accepted; waiting for the code',
  );
  if (wantsJson(req)) {
    res.status(202).json({ twoFactorRequired: true });
    return true;
  }
  res.redirect(303, '/auth/two-factor');
  return true;
}

export type CodeCheck =
  | { readonly ok: true; readonly method: 'two_factor' }
  | { readonly ok: true; readonly method: 'recovery_code'; readonly left: number }
  | { readonly ok: false };

/**
 * A 6-digit authenticator code (±1 step, each step accepted once per account, atomically) or one of the
 * account's unused recovery codes (spent atomically).
 */
export async function checkSecondFactor(
  factors: FactorStore,
  userId: string,
  code: string,
  now: number,
): Promise<CodeCheck> {
  const record = await factors.twoFactorOf(userId);
  if (!record) return { ok: false };
  const digits = code.replace(/\s/g, '');
  if (/^\d{6}$/.test(digits)) {
    const step = matchTotp(record.secret, digits, now);
    if (step !== null && (await factors.claimStep(userId, step))) return { ok: true, method: 'two_factor' };
    return { ok: false };
  }
  const used = await factors.useRecoveryCode(userId, code, new Date(now));
  return used.used ? { ok: true, method: 'recovery_code', left: used.left } : { ok: false };
}
