import type { FactorStore } from './factors.store';
import { matchTotp } from './totp';

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
