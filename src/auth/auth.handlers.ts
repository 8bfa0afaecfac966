import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { FormError, TooManyRequestsError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { safeNextPath } from '../http/safe-redirect';
import { echoable, parseForm } from '../http/validate';
import type { AuthThrottle } from '../security/login-throttle';
import type { Clock } from '../session/session-lifetime';
import { destroySession } from '../session/session-ops';
import { loginSchema, registerSchema } from './auth.schemas';
import { hashPassword, type PasswordVerifier } from './passwords';
import { signIn } from './sign-in';
import { isDuplicateKeyError, type UserModel } from './user.model';

export interface AuthDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly verifyPassword: PasswordVerifier;
  readonly logger: Logger;
  readonly throttle: AuthThrottle;
  readonly now: Clock;
}

const INVALID_CREDENTIALS = 'Invalid username or password.';

/** 429 with Retry-After, through the one error path. */
function refuseThrottled(res: Response, retryAfterSeconds: number): never {
  res.set('Retry-After', String(retryAfterSeconds));
  throw new TooManyRequestsError(retryAfterSeconds);
}

export function authHandlers({ config, users, verifyPassword, logger, throttle, now }: AuthDeps) {
  const signInOptions = (remember: boolean) => ({ remember, rememberMeMs: config.session.rememberMeMs, now: now() });

  const showRegister: RequestHandler = (_req, res) => {
    res.render('auth/register', { title: 'Create an account' });
  };

  const register: RequestHandler = async (req, res) => {
    const form = { view: 'auth/register', locals: { title: 'Create an account' } };
    const ip = req.ip ?? 'unknown';
    const wait = await throttle.registrationRetryAfter(ip);
    if (wait > 0) refuseThrottled(res, wait);
    const input = parseForm(registerSchema, req.body, form);
    const passwordHash = await hashPassword(input.password, config.bcryptCost);
    let user: { id: string; username: string };
    try {
      user = await users.create({ username: input.username, passwordHash });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      throw new FormError(422, form.view, form.locals, { username: 'That username is taken' }, echoable(req.body));
    }
    await signIn(req, user, signInOptions(false));
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
    const ip = req.ip ?? 'unknown';
    const wait = await throttle.loginRetryAfter(input.username, ip);
    if (wait > 0) {
      (req.log ?? logger).warn({ event: 'login_throttled', username: input.username, ip }, 'login throttled');
      refuseThrottled(res, wait);
    }
    // input.username is a string (parseForm), and sanitizeFilter is a second line against operator injection.
    const user = await users
      .findOne({ username: input.username }, { username: 1, passwordHash: 1 })
      .setOptions({ sanitizeFilter: true })
      .lean();
    const ok = await verifyPassword(input.password, user?.passwordHash);
    if (!user || !ok) {
      await throttle.recordLoginFailure(input.username, ip);
      (req.log ?? logger).warn({ event: 'login_failed', username: input.username, ip }, 'login failed');
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
    await throttle.recordLoginSuccess(input.username, ip);
    await signIn(req, { id: String(user._id), username: user.username }, signInOptions(input.remember));
    (req.log ?? logger).info({ event: 'login', username: user.username, ip }, 'login succeeded');
    if (wantsJson(req)) {
      res.json({ message: 'Logged in' });
      return;
    }
    flash(req, 'success', `Signed in as ${user.username}.`);
    res.redirect(303, safeNextPath(input.next));
  };

  const showLogout: RequestHandler = (_req, res) => {
    res.render('auth/logout', { title: 'Log out' });
  };

  const logout: RequestHandler = async (req, res) => {
    const username = req.session.user?.username;
    // The session document is deleted server-side: a copy of the old cookie is worthless.
    await destroySession(req);
    const { cookieName, cookieSecure } = config.session;
    res.clearCookie(cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieSecure });
    res.set('Clear-Site-Data', '"cookies"');
    if (username) (req.log ?? logger).info({ event: 'logout', username, ip: req.ip }, 'logged out');
    if (wantsJson(req)) {
      res.json({ message: 'Logged out' });
      return;
    }
    res.redirect(303, '/auth/login?signed_out=1');
  };

  const profile: RequestHandler = (req, res) => {
    // requireAuth guarantees a user; the tutorial's shape, exactly.
    res.json({ user: { username: req.session.user?.username } });
  };

  return { showRegister, register, showLogin, login, showLogout, logout, profile };
}
