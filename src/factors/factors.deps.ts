import type { Request, RequestHandler } from 'express';
import type { SignInService } from '../auth/sign-in.service';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { describeDevice } from '../http/describe-device';
import { publicLink } from '../http/links';
import type { Mailer } from '../mail/mailer';
import type { AuthThrottle } from '../security/login-throttle';
import { EVENT_TEXT, eventContext, type SecurityEventType, type SecurityLog } from '../security-log/security-log';
import { zoneOfUser } from '../time/remember-time-zone';
import { formatForMail } from '../time/time-zone';
import type { UserModel } from '../users/user.model';
import type { CodeThrottle } from './code-throttle';
import type { FactorStore } from './factors.store';

export interface FactorDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly factors: FactorStore;
  readonly securityLog: SecurityLog;
  readonly mailer: Mailer;
  readonly throttle: AuthThrottle;
  /** The one way in: a right code or passkey ends there (src/auth/sign-in.service.ts). */
  readonly signIns: SignInService;
  /** Wrong codes per account (code-throttle.ts). */
  readonly codeThrottle: CodeThrottle;
  readonly now: Clock;
  /** requireSudo, configured (account/sudo.ts). */
  readonly sudo: RequestHandler;
}

export type FactorEvent = Extract<
  SecurityEventType,
  | 'passkey_added'
  | 'passkey_removed'
  | 'two_factor_enabled'
  | 'two_factor_disabled'
  | 'recovery_codes_regenerated'
  | 'recovery_code_used'
>;

/**
 * Every change to a way in is written to the security log and mailed to a verified address: someone who got
 * into the account and adds their own passkey, or turns codes off, is seen by the owner at once.
 */
export async function factorChanged(
  deps: Pick<FactorDeps, 'config' | 'users' | 'securityLog' | 'mailer' | 'now'>,
  req: Request,
  userId: string,
  type: FactorEvent,
  details?: Readonly<Record<string, string | number | boolean>>,
): Promise<void> {
  await deps.securityLog.record(userId, type, eventContext(req), details);
  const user = await deps.users.findById(userId, { username: 1, email: 1, emailVerified: 1, timeZone: 1 }).lean();
  if (!user?.email || !user.emailVerified) return;
  deps.mailer.send({
    to: user.email,
    template: 'factor-changed',
    data: {
      username: user.username,
      what: EVENT_TEXT[type],
      when: formatForMail(deps.now(), zoneOfUser(user)),
      device: describeDevice(req.get('user-agent') ?? ''),
      ip: req.ip ?? 'unknown',
      securityUrl: publicLink(deps.config.publicUrl, '/account/security'),
    },
  });
}
