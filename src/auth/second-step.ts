import type { Request, Response } from 'express';
import { wantsJson } from '../http/negotiate';
import type { PendingSecondStep } from '../session/session-data';
import { regenerateSession } from '../session/session-ops';

/** How long after the right password the code may be given. */
export const SECOND_STEP_MS = 10 * 60_000;

/**
 * Called by the login handler once the password is right (src/auth/auth.handlers.ts): for an account with
 * authenticator codes, the visitor is *not* signed in — the session only remembers that the password was
 * right, for whom, for a few minutes — and is sent to the second step. Returns false for other accounts.
 */
/** What the second step needs to know of an account's factors (src/factors owns them). */
export interface SecondFactors {
  hasTwoFactor(userId: string): Promise<boolean>;
}

export async function beginSecondStep(
  req: Request,
  res: Response,
  factors: SecondFactors,
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
