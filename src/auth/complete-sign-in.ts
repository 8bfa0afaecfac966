import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { describeDevice } from '../http/describe-device';
import { publicLink } from '../http/links';
import type { Mailer } from '../mail/mailer';
import { describeDuration } from '../mail/templates';
import { ensureDeviceId } from '../security-log/device-cookie';
import { eventContext, type SecurityLog } from '../security-log/security-log';
import type { SessionStore } from '../session/session-store';
import { type AccountTokens, credentialsVersionOf } from '../users/account-tokens';
import { keepIfCredentialsCurrent } from '../users/credentials';
import type { UserModel } from '../users/user.model';
import { signIn } from './sign-in';

export interface SignInDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly sessions: SessionStore;
  readonly securityLog: SecurityLog;
  readonly mailer: Mailer;
  readonly tokens: AccountTokens;
  readonly logger: Logger;
  readonly now: () => number;
}

/** How long a "this wasn't me" link in a new-device alert works. */
export const NOT_ME_LINK_MS = 7 * 86_400_000;

export interface SignedInUser {
  readonly _id: unknown;
  readonly username: string;
  readonly email?: string | null;
  readonly emailVerified?: boolean | null;
  readonly credentialsVersion?: number | null;
}

export type SignInMethod = 'password' | 'passkey' | 'two_factor' | 'recovery_code';

/**
 * Every way in ends here (password, password + code, passkey), so each is a full sign-in: a new session id
 * (signIn), the credentials re-check that lets a concurrent password change win, the security log, and the
 * new-device alert. Returns false when a password change overtook this sign-in (its session is ended).
 */
export async function completeSignIn(
  req: Request,
  res: Response,
  deps: SignInDeps,
  user: SignedInUser,
  options: { readonly remember: boolean; readonly method: SignInMethod },
): Promise<boolean> {
  const { config, securityLog } = deps;
  const userId = String(user._id);
  await signIn(
    req,
    { id: userId, username: user.username },
    { remember: options.remember, rememberMeMs: config.session.rememberMeMs, now: deps.now() },
  );
  const current = await keepIfCredentialsCurrent(deps, {
    userId,
    checkedVersion: credentialsVersionOf(user),
    sessionId: req.sessionID,
  });
  if (!current) return false;

  req.deviceId = ensureDeviceId(req, res, config);
  const context = eventContext(req);
  const known = await securityLog.knownDevice(userId, req.deviceId);
  await securityLog.record(userId, 'signed_in', context, { newDevice: !known, method: options.method });
  if (!known && user.email && user.emailVerified) {
    await alertNewDevice(
      deps,
      { userId, username: user.username, email: user.email, credentialsVersion: user.credentialsVersion },
      req,
    );
  }
  return true;
}

/** Mails a verified address about a sign-in from a browser never seen on this account, with "this wasn't me". */
async function alertNewDevice(
  deps: SignInDeps,
  user: { userId: string; username: string; email: string; credentialsVersion?: number | null },
  req: Request,
): Promise<void> {
  const publicId = req.session.device?.publicId;
  if (!publicId || !deps.mailer.enabled) return;
  const token = await deps.tokens.issue({
    kind: 'not-me',
    userId: user.userId,
    email: user.email,
    subject: publicId,
    credentialsVersion: credentialsVersionOf(user),
    ttlMs: NOT_ME_LINK_MS,
  });
  deps.mailer.send({
    to: user.email,
    template: 'new-device',
    data: {
      username: user.username,
      device: describeDevice(req.get('user-agent') ?? ''),
      ip: req.ip ?? 'unknown',
      when: new Date(deps.now()).toUTCString(),
      link: publicLink(deps.config.publicUrl, `/account/not-me/${token}`),
      expiresIn: describeDuration(NOT_ME_LINK_MS),
    },
  });
}
