import type { RequestHandler } from 'express';
import type { AccountDeletion } from '../account-deletion/account-deletion';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { FormError, TooManyRequestsError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { respond } from '../http/respond';
import { safeNextPath } from '../http/safe-redirect';
import { echoable, parseForm } from '../http/validate';
import type { RegistrationGate } from '../invites/registration-gate';
import { createAccount } from '../roles/new-account';
import type { AuthThrottle } from '../security/login-throttle';
import { hashPassword, needsRehash, type PasswordVerifier } from '../security/passwords';
import { eventContext, type SecurityLog } from '../security-log/security-log';
import { destroySession } from '../session/session-ops';
import type { SessionStore } from '../session/session-store';
import { credentialsVersionOf } from '../users/account-tokens';
import type { EmailAddresses } from '../users/email.service';
import { roleOf } from '../users/roles';
import { isDuplicateKeyError, type UserModel } from '../users/user.model';
import { loginSchema, registerSchema } from './auth.schemas';
import { PENDING_SIGN_IN_MS, type SignInService } from './sign-in.service';

export interface AuthDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly verifyPassword: PasswordVerifier;
  readonly throttle: AuthThrottle;
  readonly now: Clock;
  readonly sessions: SessionStore;
  /** Sends the link that confirms an address given at registration. */
  readonly addresses: EmailAddresses;
  readonly securityLog: SecurityLog;
  /** The one way in (sign-in.service.ts): every sign-in below ends there. */
  readonly signIns: SignInService;
  readonly deletion: AccountDeletion;
  /** Registration mode, invitations and new accounts' role (site settings, src/invites). */
  readonly registration: RegistrationGate;
}

const INVALID_CREDENTIALS = 'Invalid username or password.';

export function authHandlers({
  config,
  users,
  verifyPassword,
  throttle,
  now,
  addresses,
  securityLog,
  signIns,
  deletion,
  registration,
}: AuthDeps) {
  const showRegister = registration.showForm;

  const register: RequestHandler = async (req, res) => {
    // Closed, or invitation only without one: 403 before anything else (src/invites/registration-gate.ts).
    const admission = await registration.admit(req);
    const action = typeof req.params.token === 'string' ? `/auth/invite/${req.params.token}` : '/auth/register';
    const form = { view: 'auth/register', locals: { title: 'Create an account', action } };
    const wait = await throttle.registrationRetryAfter(req.ip);
    if (wait > 0) throw new TooManyRequestsError(wait);
    const input = parseForm(registerSchema, req.body, form);
    const passwordHash = await hashPassword(input.password, config.bcryptCost);
    let user: { id: string; username: string };
    await admission.claim();
    try {
      const email = input.email ? { email: input.email, emailVerified: false } : {};
      user = await createAccount(users, { username: input.username, passwordHash, ...email }, admission.role);
    } catch (err) {
      await admission.release();
      if (!isDuplicateKeyError(err)) throw err;
      throw new FormError(422, form.view, form.locals, { username: 'That username is taken' }, echoable(req.body));
    }
    await admission.used(user.id);
    // A new account: its password was just set, and it has no second factor yet.
    const signedIn = await signIns.complete(req, res, {
      userId: user.id,
      credentialsVersion: 0,
      method: 'password',
      secondFactorProven: true,
      sudo: true,
      remember: false,
      // Say where the confirmation link went, so the next page is not a puzzle.
      welcome: input.email
        ? `Welcome to Folio, ${user.username}! We sent a link to ${input.email}: follow it to confirm your address.`
        : `Welcome to Folio, ${user.username}!`,
      registration: true,
    });
    if (signedIn.outcome !== 'signed_in') {
      if (signedIn.outcome === 'answered') return;
      throw new FormError(401, form.view, form.locals, {}, echoable(req.body), 'Sign in again', 'Please sign in.');
    }
    if (input.email) {
      const owner = { id: user.id, username: user.username, credentialsVersion: 0 };
      await addresses.startVerification(owner, input.email, req.ip);
    }
    req.log.info({ event: 'register', username: user.username, ip: req.ip }, 'user registered');
    respond(req, res, {
      status: 201,
      json: () => ({ user: { username: user.username } }),
      html: () => res.redirect(303, '/posts'),
    });
  };

  const showLogin: RequestHandler = (req, res) => {
    res.render('auth/login', {
      title: 'Sign in',
      values: { next: typeof req.query.next === 'string' ? safeNextPath(req.query.next, '') : '' },
      signedOut: req.query.signed_out === '1',
    });
  };

  const login: RequestHandler = async (req, res) => {
    const form = { view: 'auth/login', locals: { title: 'Sign in' } };
    const input = parseForm(loginSchema, req.body, form);
    const log = req.log;
    // The attempt is taken before bcrypt runs, atomically: concurrent guesses cannot all slip through.
    const attempt = await throttle.beginPasswordAttempt(input.username, req.ip);
    if (!attempt.allowed) {
      log.warn({ event: 'login_throttled', username: input.username, ip: req.ip }, 'login throttled');
      throw new TooManyRequestsError(attempt.retryAfterSeconds, {
        ...form,
        values: echoable(req.body),
        now: now(),
      });
    }
    // input.username matches the username pattern (parseForm); sanitizeFilter is a second line of defence.
    const user = await users
      .findOne(
        { username: input.username },
        {
          username: 1,
          passwordHash: 1,
          credentialsVersion: 1,
          email: 1,
          emailVerified: 1,
          deletedAt: 1,
          purgeAfter: 1,
          suspendedAt: 1,
        },
      )
      .setOptions({ sanitizeFilter: true })
      .lean();
    const ok = await verifyPassword(input.password, user?.passwordHash);
    if (!user || !ok) {
      log.warn({ event: 'login_failed', username: input.username, ip: req.ip }, 'login failed');
      if (user) {
        const context = eventContext(req);
        await securityLog.recordFailure(String(user._id), context);
        // The attempt that used up this client's allowance: sign-in from here now pauses.
        if (attempt.attemptsLeft === 0) await securityLog.record(String(user._id), 'throttled', context);
      }
      throw new FormError(
        401,
        form.view,
        { ...form.locals, attemptsLeft: attempt.attemptsLeft },
        {},
        echoable(req.body),
        'Invalid credentials',
        INVALID_CREDENTIALS,
      );
    }
    await throttle.passwordAccepted(input.username, req.ip);
    const userId = String(user._id);
    // The password proves what an account without codes has; one with codes gets the second step first.
    const result = await signIns.complete(req, res, {
      userId,
      credentialsVersion: credentialsVersionOf(user),
      method: 'password',
      secondFactorProven: false,
      sudo: true,
      remember: input.remember,
      next: input.next ?? '',
      offerRestore: true,
    });
    if (result.outcome === 'answered') return;
    // A password change that ran while this password was being checked wins: this session is not kept.
    if (result.outcome === 'superseded') {
      throw new FormError(
        401,
        form.view,
        form.locals,
        {},
        echoable(req.body),
        'Invalid credentials',
        INVALID_CREDENTIALS,
      );
    }
    if (needsRehash(user.passwordHash, config.bcryptCost)) {
      // Same password, today's scheme; conditional, so a concurrent change is never overwritten.
      void hashPassword(input.password, config.bcryptCost)
        .then((passwordHash) => users.updateOne({ _id: userId, passwordHash: user.passwordHash }, { passwordHash }))
        .catch((err: unknown) => log.error({ err }, 'password hash upgrade failed'));
    }
    respond(req, res, {
      json: () => ({ message: 'Logged in' }),
      html: () => res.redirect(303, safeNextPath(input.next)),
    });
  };

  /**
   * "Keep my account", offered after the right password for a closed account: cancels the deletion, then goes
   * back into the sign-in pipeline like any sign-in — so an account with codes still gets the second step, and
   * nothing here grants sudo mode.
   */
  const restoreAtSignIn: RequestHandler = async (req, res) => {
    const pending = req.session.pendingRestore;
    req.session.pendingRestore = undefined;
    const startAgain = (message: string) => {
      respond(req, res, {
        status: 401,
        json: () => ({ error: message }),
        html: () => {
          flash(req, 'info', message);
          res.redirect(303, '/auth/login');
        },
      });
    };
    if (!pending || now() - pending.at > PENDING_SIGN_IN_MS || typeof pending.credentialsVersion !== 'number') {
      return startAgain('Please enter your password again.');
    }
    // The password given belongs to the credentials of now: a reset since then voids it.
    const current = await users.findById(pending.userId, { credentialsVersion: 1 }).lean();
    if (!current || credentialsVersionOf(current) !== pending.credentialsVersion) {
      return startAgain('Please enter your password again.');
    }
    if (!(await deletion.cancel(pending.userId, eventContext(req)))) {
      return startAgain('This account can no longer be restored.');
    }
    const welcome = 'Welcome back: your account is restored and nothing will be deleted.';
    // Shown after the second step too, for an account with codes (the flash survives the new session id).
    if (!wantsJson(req)) flash(req, 'success', 'Your account is restored and nothing will be deleted.');
    const result = await signIns.complete(req, res, {
      userId: pending.userId,
      credentialsVersion: pending.credentialsVersion,
      method: 'password',
      secondFactorProven: false,
      sudo: false,
      remember: false,
      next: '/posts',
      welcome,
    });
    if (result.outcome === 'answered') return;
    if (result.outcome === 'superseded') return startAgain('Please sign in again.');
    respond(req, res, {
      json: () => ({ message: 'Account restored' }),
      html: () => res.redirect(303, '/posts'),
    });
  };

  const showLogout: RequestHandler = (_req, res) => {
    res.render('auth/logout', { title: 'Sign out' });
  };

  const logout: RequestHandler = async (req, res) => {
    const username = req.session.user?.username;
    // Ended in the store for good (every process refuses it, no request in flight can write it back): a copy
    // of the old cookie is worthless. The cookie itself is expired, not wiped with `Clear-Site-Data:
    // "cookies"`, which would sign the visitor out of every site on the registrable domain.
    const userId = req.session.user?.id;
    await destroySession(req);
    if (userId) await securityLog.record(userId, 'signed_out', eventContext(req));
    const { cookieName, cookieSecure } = config.session;
    res.clearCookie(cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieSecure });
    if (username) req.log.info({ event: 'logout', username, ip: req.ip }, 'logged out');
    respond(req, res, {
      json: () => ({ message: 'Logged out' }),
      html: () => res.redirect(303, '/auth/login?signed_out=1'),
    });
  };

  const profile: RequestHandler = async (req, res) => {
    // isAuthenticated guarantees a user; the tutorial's shape, exactly, plus the address when there is one.
    const record = await users.findById(req.session.user?.id, { email: 1, emailVerified: 1, role: 1 }).lean();
    const email = record?.email ? { email: record.email, emailVerified: record.emailVerified === true } : {};
    res.json({ user: { username: req.session.user?.username, role: roleOf(record), ...email } });
  };

  return { showRegister, register, showLogin, login, restoreAtSignIn, showLogout, logout, profile };
}
