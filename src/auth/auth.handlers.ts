import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AccountDeletion } from '../account-deletion/account-deletion';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { FormError, TooManyRequestsError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { safeNextPath } from '../http/safe-redirect';
import { echoable, parseForm } from '../http/validate';
import { rotateCsrfToken } from '../security/csrf';
import type { AuthThrottle } from '../security/login-throttle';
import { hashPassword, needsRehash, type PasswordVerifier } from '../security/passwords';
import { eventContext, type SecurityLog } from '../security-log/security-log';
import { destroySession } from '../session/session-ops';
import type { SessionStore } from '../session/session-store';
import type { EmailAddresses } from '../users/email.service';
import { isDuplicateKeyError, type UserModel } from '../users/user.model';
import { loginSchema, registerSchema } from './auth.schemas';
import { completeSignIn, type SignInDeps } from './complete-sign-in';
import { beginSecondStep, type SecondFactors } from './second-step';

export interface AuthDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly verifyPassword: PasswordVerifier;
  readonly logger: Logger;
  readonly throttle: AuthThrottle;
  readonly now: Clock;
  readonly sessions: SessionStore;
  /** Sends the link that confirms an address given at registration. */
  readonly addresses: EmailAddresses;
  readonly securityLog: SecurityLog;
  readonly signInDeps: SignInDeps;
  readonly deletion: AccountDeletion;
  /** Passkeys and authenticator codes: an account with codes gets the second step (src/factors). */
  readonly factors: SecondFactors;
}

const ACCOUNT_CLOSED = 'This account is closed and scheduled for deletion';
/** How long after the password was given "keep my account" may be pressed. */
const RESTORE_WINDOW_MS = 10 * 60_000;

const INVALID_CREDENTIALS = 'Invalid username or password.';

export function authHandlers({
  config,
  users,
  verifyPassword,
  logger,
  throttle,
  now,
  addresses,
  securityLog,
  signInDeps,
  deletion,
  factors,
}: AuthDeps) {
  const showRegister: RequestHandler = (_req, res) => {
    res.render('auth/register', { title: 'Create an account' });
  };

  const register: RequestHandler = async (req, res) => {
    const form = { view: 'auth/register', locals: { title: 'Create an account' } };
    const wait = await throttle.registrationRetryAfter(req.ip);
    if (wait > 0) throw new TooManyRequestsError(wait);
    const input = parseForm(registerSchema, req.body, form);
    const passwordHash = await hashPassword(input.password, config.bcryptCost);
    let user: { id: string; username: string };
    try {
      const email = input.email ? { email: input.email, emailVerified: false } : {};
      user = await users.create({ username: input.username, passwordHash, ...email });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      throw new FormError(422, form.view, form.locals, { username: 'That username is taken' }, echoable(req.body));
    }
    await completeSignIn(
      req,
      res,
      signInDeps,
      { _id: user.id, username: user.username },
      {
        remember: false,
        method: 'password',
      },
    );
    if (input.email) {
      const owner = { id: user.id, username: user.username, credentialsVersion: 0 };
      await addresses.startVerification(owner, input.email, req.ip);
    }
    (req.log ?? logger).info({ event: 'register', username: user.username, ip: req.ip }, 'user registered');
    if (wantsJson(req)) {
      res.status(201).json({ user: { username: user.username } });
      return;
    }
    flash(req, 'success', `Welcome to Folio, ${user.username}!`);
    res.redirect(303, '/posts');
  };

  const showLogin: RequestHandler = (req, res) => {
    res.render('auth/login', {
      title: 'Log in',
      values: { next: typeof req.query.next === 'string' ? safeNextPath(req.query.next, '') : '' },
      signedOut: req.query.signed_out === '1',
    });
  };

  const login: RequestHandler = async (req, res) => {
    const form = { view: 'auth/login', locals: { title: 'Log in' } };
    const input = parseForm(loginSchema, req.body, form);
    const log = req.log ?? logger;
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
    if (user.deletedAt) {
      // The password is right, but the account is closed: say so, and offer to cancel the deletion.
      req.session.pendingRestore = { userId, at: now() };
      // The "keep my account" form posts from this new session: it needs its token now.
      res.locals.csrfToken = rotateCsrfToken(req);
      log.info({ event: 'login_closed_account', userId, ip: req.ip }, 'sign-in to a closed account');
      if (wantsJson(req)) {
        res.status(403).json({ error: ACCOUNT_CLOSED, purgeAfter: user.purgeAfter });
        return;
      }
      res.status(403).render('auth/closed', { title: 'This account is closed', purgeAfter: user.purgeAfter });
      return;
    }
    // Authenticator codes on: not signed in yet, the code comes first (src/auth/second-step.ts).
    const pending = { userId, username: user.username, remember: input.remember, next: input.next ?? '' };
    if (await beginSecondStep(req, res, factors, pending, now())) return;
    // A password change that ran while this password was being checked wins: this session is not kept.
    if (!(await completeSignIn(req, res, signInDeps, user, { remember: input.remember, method: 'password' }))) {
      log.warn({ event: 'login_superseded', username: user.username, ip: req.ip }, 'password changed during login');
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
    log.info({ event: 'login', username: user.username, userId, ip: req.ip }, 'login succeeded');
    if (wantsJson(req)) {
      res.json({ message: 'Logged in' });
      return;
    }
    flash(req, 'success', `Signed in as ${user.username}.`);
    res.redirect(303, safeNextPath(input.next));
  };

  /** "Keep my account", offered after the right password for a closed account: cancels, then signs in. */
  const restoreAtSignIn: RequestHandler = async (req, res) => {
    const pending = req.session.pendingRestore;
    req.session.pendingRestore = undefined;
    if (!pending || now() - pending.at > RESTORE_WINDOW_MS) {
      flash(req, 'info', 'Please enter your password again.');
      res.redirect(303, '/auth/login');
      return;
    }
    await deletion.cancel(pending.userId, eventContext(req));
    const user = await users
      .findById(pending.userId, { username: 1, credentialsVersion: 1, email: 1, emailVerified: 1, deletedAt: 1 })
      .lean();
    if (!user || user.deletedAt) {
      flash(req, 'error', 'This account can no longer be restored.');
      res.redirect(303, '/auth/login');
      return;
    }
    await completeSignIn(req, res, signInDeps, user, { remember: false, method: 'password' });
    if (wantsJson(req)) {
      res.json({ message: 'Account restored' });
      return;
    }
    flash(req, 'success', 'Welcome back: your account is restored and nothing will be deleted.');
    res.redirect(303, '/posts');
  };

  const showLogout: RequestHandler = (_req, res) => {
    res.render('auth/logout', { title: 'Log out' });
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
    if (username) (req.log ?? logger).info({ event: 'logout', username, ip: req.ip }, 'logged out');
    if (wantsJson(req)) {
      res.json({ message: 'Logged out' });
      return;
    }
    res.redirect(303, '/auth/login?signed_out=1');
  };

  const profile: RequestHandler = async (req, res) => {
    // isAuthenticated guarantees a user; the tutorial's shape, exactly, plus the address when there is one.
    const record = await users.findById(req.session.user?.id, { email: 1, emailVerified: 1 }).lean();
    const email = record?.email ? { email: record.email, emailVerified: record.emailVerified === true } : {};
    res.json({ user: { username: req.session.user?.username, ...email } });
  };

  return { showRegister, register, showLogin, login, restoreAtSignIn, showLogout, logout, profile };
}
