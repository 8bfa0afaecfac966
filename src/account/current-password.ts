import type { Request } from 'express';
import { TooManyRequestsError } from '../http/errors';
import type { AuthThrottle } from '../security/login-throttle';
import type { PasswordVerifier } from '../security/passwords';
import { eventContext, type SecurityLog } from '../security-log/security-log';
import type { UserModel } from '../users/user.model';

export interface CurrentPasswordDeps {
  readonly users: UserModel;
  readonly verifyPassword: PasswordVerifier;
  readonly throttle: AuthThrottle;
  readonly securityLog: SecurityLog;
}

/**
 * "Enter your current password" (password change, address change, sudo, account deletion): a signed-in
 * session must not become a password-guessing oracle, so the attempt is taken from the same atomic counters
 * as login before bcrypt runs (429 past them), a wrong one is logged and counted in the security log, and a
 * right one gives its attempt back. True when the password is right.
 */
export async function checkCurrentPassword(
  deps: CurrentPasswordDeps,
  req: Request,
  user: { readonly id: string; readonly username: string },
  password: string,
): Promise<boolean> {
  const attempt = await deps.throttle.beginPasswordAttempt(user.username, req.ip);
  if (!attempt.allowed) {
    req.log.warn({ event: 'password_check_throttled', userId: user.id, ip: req.ip }, 'current password throttled');
    throw new TooManyRequestsError(attempt.retryAfterSeconds);
  }
  const record = await deps.users.findById(user.id, { passwordHash: 1 }).lean();
  if (!record || !(await deps.verifyPassword(password, record.passwordHash))) {
    req.log.warn({ event: 'password_check_failed', userId: user.id, ip: req.ip }, 'wrong current password');
    await deps.securityLog.recordFailure(user.id, eventContext(req));
    return false;
  }
  await deps.throttle.passwordAccepted(user.username, req.ip);
  return true;
}
