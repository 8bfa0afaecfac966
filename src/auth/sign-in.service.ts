import type { Request, Response } from 'express';
import type { Config } from '../config';
import { describeDevice } from '../http/describe-device';
import { HttpError } from '../http/errors';
import { flash } from '../http/flash';
import { publicLink } from '../http/links';
import { wantsJson } from '../http/negotiate';
import { respond } from '../http/respond';
import type { Mailer } from '../mail/mailer';
import { describeDuration } from '../mail/templates';
import { can } from '../roles/permissions';
import { rotateCsrfToken } from '../security/csrf';
import { ensureDeviceId } from '../security-log/device-cookie';
import { eventContext, type SecurityLog } from '../security-log/security-log';
import type { EndReason, SessionStore } from '../session/session-store';
import { rememberTimeZone, signInTimeZone } from '../time/remember-time-zone';
import { formatForMail, zoneOrUtc } from '../time/time-zone';
import { type AccountTokens, credentialsVersionOf } from '../users/account-tokens';
import { roleOf } from '../users/roles';
import type { UserModel } from '../users/user.model';
import { renewSessionId, type SignedInHook, signIn } from './sign-in';

/**
 * One way in (issue 19). Every way of becoming signed in — password, password + code, recovery code, passkey,
 * "keep my account", registration — ends in `SignInService.complete`, which applies the same gates to the
 * *account*, in one order:
 *   1. closed (deletedAt) or suspended (suspendedAt): refused;
 *   2. a second factor the account has, not proven in this sign-in: not signed in yet, the code comes next;
 *   3. credentials changed since the sign-in began (the version read at its start): refused;
 * then a new session id, the security log (with the method), the new-device alert and the flash. After the
 * new session is stored the account is read once more, so a password change, closure or suspension that
 * raced the sign-in wins (they change the account first, then end its sessions).
 * Sudo mode comes from the sign-in only when it proved what the account has (see SignInAttempt.sudo).
 * The pipeline imports no feature: what features add (a second factor, the reading list's merge) comes in
 * through SignInHooks, wired in app.ts.
 */

export type SignInMethod = 'password' | 'passkey' | 'two_factor' | 'recovery_code';

export interface SignInHooks {
  /** Whether the account has a second factor a sign-in must prove (authenticator codes: src/factors). */
  readonly secondFactor: (userId: string) => Promise<boolean>;
  /** Run on the new session before it is saved (the reading list's merge). */
  readonly onSignedIn: readonly SignedInHook[];
}

export interface SignInDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly sessions: SessionStore;
  readonly securityLog: SecurityLog;
  readonly mailer: Mailer;
  readonly tokens: AccountTokens;
  readonly now: () => number;
  readonly hooks: SignInHooks;
}

export interface SignInAttempt {
  readonly userId: string;
  /** The account's credentials version read when this sign-in began (before the password or key was checked). */
  readonly credentialsVersion: number;
  readonly method: SignInMethod;
  /** The account's second factor was proven in this sign-in (a code, or a passkey, which replaces both). */
  readonly secondFactorProven: boolean;
  /**
   * Sudo mode may start: the sign-in proved what the account has — a password (with the code, for an account
   * with codes), a user-verified passkey, or a password just set at registration. Never for "keep my account"
   * or a recovery code.
   */
  readonly sudo: boolean;
  readonly remember: boolean;
  /** Where a browser goes after the second step. */
  readonly next?: string;
  /** A right password for a closed account may offer "keep my account" (others are just refused). */
  readonly offerRestore?: boolean;
  /** The flash a browser sees once signed in (default: "Signed in as NAME."). */
  readonly welcome?: string;
  /** A new account's first sign-in: logged as part of registering, not as a login. */
  readonly registration?: boolean;
}

export interface SignedIn {
  readonly id: string;
  readonly username: string;
}

/** signed_in: the caller answers. answered: a gate answered already (second step, closed account). superseded: refused. */
export type SignInResult =
  | { readonly outcome: 'signed_in'; readonly user: SignedIn }
  | { readonly outcome: 'answered' }
  | { readonly outcome: 'superseded' };

export const ACCOUNT_CLOSED = 'This account is closed and scheduled for deletion';
export const ACCOUNT_SUSPENDED = 'This account is suspended by an administrator: it cannot sign in.';

/** How long after the right password the second step (or "keep my account") may follow. */
export const PENDING_SIGN_IN_MS = 10 * 60_000;

/** How long a "this wasn't me" link in a new-device alert works. */
export const NOT_ME_LINK_MS = 7 * 86_400_000;

const ACCOUNT_FIELDS = {
  username: 1,
  credentialsVersion: 1,
  email: 1,
  emailVerified: 1,
  deletedAt: 1,
  purgeAfter: 1,
  suspendedAt: 1,
  timeZone: 1,
  role: 1,
} as const;

export class SignInService {
  constructor(private readonly deps: SignInDeps) {}

  async complete(req: Request, res: Response, attempt: SignInAttempt): Promise<SignInResult> {
    const { users, now } = this.deps;
    const log = req.log;
    const user = await users.findById(attempt.userId, ACCOUNT_FIELDS).lean();
    if (!user) return { outcome: 'superseded' };

    // 1. The account itself: closed or suspended.
    if (user.deletedAt) {
      if (!attempt.offerRestore) {
        throw new HttpError(403, `${ACCOUNT_CLOSED}: sign in with your password to keep it`);
      }
      // The password is right, but the account is closed: say so, and offer to cancel the deletion — on a
      // fresh session id, bound to the credentials version like the second step.
      await renewSessionId(req);
      req.session.pendingRestore = {
        userId: attempt.userId,
        at: now(),
        credentialsVersion: attempt.credentialsVersion,
      };
      // The "keep my account" form posts from this new session: it needs its token now.
      res.locals.csrfToken = rotateCsrfToken(req);
      log.info({ event: 'login_closed_account', userId: attempt.userId, ip: req.ip }, 'sign-in to a closed account');
      respond(req, res, {
        status: 403,
        json: () => ({ error: ACCOUNT_CLOSED, purgeAfter: user.purgeAfter }),
        html: { view: 'auth/closed', locals: { title: 'This account is closed', purgeAfter: user.purgeAfter } },
      });
      return { outcome: 'answered' };
    }
    if (user.suspendedAt) {
      log.info({ event: 'login_suspended', userId: attempt.userId, ip: req.ip }, 'sign-in to a suspended account');
      throw new HttpError(403, ACCOUNT_SUSPENDED);
    }

    // 2. A second factor the account has, not yet proven: the visitor is not signed in; the code comes next.
    if (!attempt.secondFactorProven && (await this.deps.hooks.secondFactor(attempt.userId))) {
      // A fresh session id (a visitor signed in as someone else stops being them now), bound to the version.
      await renewSessionId(req);
      req.session.pendingSecondStep = {
        userId: attempt.userId,
        username: user.username,
        remember: attempt.remember,
        next: attempt.next ?? '',
        at: now(),
        credentialsVersion: attempt.credentialsVersion,
        sudo: attempt.sudo,
      };
      log.info(
        { event: 'login_second_step', username: user.username, ip: req.ip },
        'first step accepted; waiting for the code',
      );
      respond(req, res, {
        status: 202,
        json: () => ({ twoFactorRequired: true }),
        html: () => res.redirect(303, '/auth/two-factor'),
      });
      return { outcome: 'answered' };
    }

    // 3. Credentials changed since this sign-in began.
    if (credentialsVersionOf(user) !== attempt.credentialsVersion) {
      log.warn({ event: 'login_superseded', userId: attempt.userId, ip: req.ip }, 'credentials changed during login');
      return { outcome: 'superseded' };
    }

    // A form kept from someone else's ended session is not theirs to see: dropped, with its flash and reason.
    const kept = req.session.keptForm;
    if (kept && kept.userId !== attempt.userId) {
      delete req.session.keptForm;
      delete req.session.flash;
    }

    const userId = attempt.userId;
    // The browser's zone travels with its owner; else the one the account remembers (src/time).
    const timeZone = signInTimeZone(req, user.timeZone);
    await signIn(
      req,
      { id: userId, username: user.username, timeZone, mayWrite: can(roleOf(user), 'post.create') },
      {
        remember: attempt.remember,
        rememberMeMs: this.deps.config.session.rememberMeMs,
        now: now(),
        sudo: attempt.sudo,
        hooks: this.deps.hooks.onSignedIn,
      },
    );
    // The account once more, now that the session is stored: a change that ran meanwhile wins. Why this closes
    // the race: a password change, closure or suspension changes the account *before* it ends its sessions.
    // Either this read sees the change (and the sign-in ends itself), or it ran before it — so the session was
    // stored before the change ended every session of the user, and that ended it.
    const after = await users.findById(userId, { credentialsVersion: 1, deletedAt: 1, suspendedAt: 1 }).lean();
    const ended: EndReason | undefined = !after
      ? 'account_closed'
      : credentialsVersionOf(after) !== attempt.credentialsVersion
        ? 'password_changed'
        : after.deletedAt
          ? 'account_closed'
          : after.suspendedAt
            ? 'revoked'
            : undefined;
    if (ended) {
      await this.deps.sessions.endById(req.sessionID, ended);
      log.warn({ event: 'login_superseded', userId, ip: req.ip, reason: ended }, 'account changed during login');
      return { outcome: 'superseded' };
    }

    await rememberTimeZone(users, userId, timeZone, user.timeZone);

    req.deviceId = ensureDeviceId(req, res, this.deps.config);
    const context = eventContext(req);
    const known = await this.deps.securityLog.knownDevice(userId, req.deviceId);
    // The session's public handle (never its id): the security log offers "Sign out this device" while it lives.
    const session = req.session.device?.publicId;
    await this.deps.securityLog.record(userId, 'signed_in', context, {
      newDevice: !known,
      method: attempt.method,
      ...(session ? { session } : {}),
    });
    if (!known && user.email && user.emailVerified) {
      await this.alertNewDevice(req, {
        userId,
        username: user.username,
        email: user.email,
        credentialsVersion: attempt.credentialsVersion,
        timeZone: zoneOrUtc(timeZone),
      });
    }
    if (!wantsJson(req)) flash(req, 'success', attempt.welcome ?? `Signed in as ${user.username}.`);
    if (!attempt.registration) {
      log.info(
        { event: 'login', username: user.username, userId, ip: req.ip, method: attempt.method },
        'login succeeded',
      );
    }
    return { outcome: 'signed_in', user: { id: userId, username: user.username } };
  }

  /**
   * After a password change in a signed-in session: the same user on a new session id, in sudo mode (the
   * current password was just entered). Not a sign-in: no gates, log or alert (the change logs itself).
   */
  async renewAfterPasswordChange(req: Request, user: SignedIn): Promise<void> {
    await signIn(req, user, {
      remember: req.session.auth?.remember ?? false,
      rememberMeMs: this.deps.config.session.rememberMeMs,
      now: this.deps.now(),
      sudo: true,
      hooks: this.deps.hooks.onSignedIn,
    });
  }

  /** Mails a verified address about a sign-in from a browser never seen on this account, with "this wasn't me". */
  private async alertNewDevice(
    req: Request,
    user: { userId: string; username: string; email: string; credentialsVersion: number; timeZone: string },
  ): Promise<void> {
    const { mailer, tokens, config, now } = this.deps;
    const publicId = req.session.device?.publicId;
    if (!publicId || !mailer.enabled) return;
    const token = await tokens.issue({
      kind: 'not-me',
      userId: user.userId,
      email: user.email,
      subject: publicId,
      credentialsVersion: user.credentialsVersion,
      ttlMs: NOT_ME_LINK_MS,
    });
    mailer.send({
      to: user.email,
      template: 'new-device',
      data: {
        username: user.username,
        device: describeDevice(req.get('user-agent') ?? ''),
        ip: req.ip ?? 'unknown',
        when: formatForMail(now(), user.timeZone),
        link: publicLink(config.publicUrl, `/account/not-me/${token}`),
        expiresIn: describeDuration(NOT_ME_LINK_MS),
      },
    });
  }
}
