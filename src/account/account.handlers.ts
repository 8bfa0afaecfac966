import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { hashPassword, type PasswordVerifier } from '../auth/passwords';
import { signIn } from '../auth/sign-in';
import type { UserModel } from '../auth/user.model';
import type { Config } from '../config';
import { FormError, NotFoundError, TooManyRequestsError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { parseForm } from '../http/validate';
import type { AuthThrottle } from '../security/login-throttle';
import type { Clock } from '../session/session-lifetime';
import { changePasswordSchema } from './account.schemas';
import { describeDevice } from './describe-device';
import type { PageViews } from './page-views';
import type { SessionDirectory } from './session-directory';

export interface AccountDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly sessions: SessionDirectory;
  readonly pageViews: PageViews;
  readonly verifyPassword: PasswordVerifier;
  readonly logger: Logger;
  readonly now: Clock;
  readonly throttle: AuthThrottle;
}

/** requireAuth runs first on every account route; this narrows the type for the handlers. */
function currentUser(req: Parameters<RequestHandler>[0]) {
  const user = req.session.user;
  if (!user) throw new Error('requireAuth must guard account routes');
  return user;
}

export function accountHandlers({
  config,
  users,
  sessions,
  pageViews,
  verifyPassword,
  logger,
  now,
  throttle,
}: AccountDeps) {
  const listSessions: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const [list, views] = await Promise.all([sessions.list(user.id, new Date(now())), pageViews.count(req.sessionID)]);
    const items = list.map((s) => ({
      publicId: s.publicId,
      device: describeDevice(s.userAgent),
      ip: s.ip,
      signedInAt: s.signedInAt,
      lastSeenAt: s.lastSeenAt,
      remember: s.remember,
      current: s.sessionId === req.sessionID,
    }));
    if (wantsJson(req)) {
      res.json({ sessions: items, views });
      return;
    }
    res.render('account/sessions', { title: 'Your sessions', sessions: items, views, now: now() });
  };

  const revokeOne: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const publicId = String(req.params.sid);
    if (publicId === req.session.device?.publicId) {
      throw new NotFoundError('That is this session: use “Log out” to end it');
    }
    if (!(await sessions.revoke(user.id, publicId))) throw new NotFoundError('No such session');
    (req.log ?? logger).info({ event: 'session_revoked', username: user.username, ip: req.ip }, 'session revoked');
    if (wantsJson(req)) {
      res.json({ message: 'Signed out' });
      return;
    }
    flash(req, 'success', 'That device has been signed out.');
    res.redirect(303, '/account/sessions');
  };

  const revokeOthers: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const count = await sessions.revokeAllExcept(user.id, req.sessionID);
    (req.log ?? logger).info(
      { event: 'sessions_revoked', username: user.username, ip: req.ip, count },
      'other sessions revoked',
    );
    if (wantsJson(req)) {
      res.json({ message: 'Signed out', count });
      return;
    }
    flash(
      req,
      'success',
      count === 1 ? 'One other device has been signed out.' : `${count} other devices have been signed out.`,
    );
    res.redirect(303, '/account/sessions');
  };

  const showPassword: RequestHandler = (_req, res) => {
    res.render('account/password', { title: 'Change password' });
  };

  const changePassword: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const form = { view: 'account/password', locals: { title: 'Change password' } };
    const input = parseForm(changePasswordSchema, req.body, form);
    // A stolen session must not become a password-guessing oracle: the same counters as login.
    const ip = req.ip ?? 'unknown';
    const wait = await throttle.loginRetryAfter(user.username, ip);
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      throw new TooManyRequestsError(wait);
    }
    const record = await users.findById(user.id, { passwordHash: 1 }).lean();
    if (!record) throw new NotFoundError('No such user');
    if (!(await verifyPassword(input.currentPassword, record.passwordHash))) {
      await throttle.recordLoginFailure(user.username, ip);
      throw new FormError(422, form.view, form.locals, { currentPassword: 'That is not your current password' }, {});
    }
    await users.updateOne({ _id: user.id }, { passwordHash: await hashPassword(input.newPassword, config.bcryptCost) });
    // Whoever else holds a session (perhaps the reason for the change) is out, and this one gets a new id.
    const ended = await sessions.revokeAllExcept(user.id, req.sessionID);
    await pageViews.forget(req.sessionID);
    await signIn(req, user, {
      remember: req.session.auth?.remember ?? false,
      rememberMeMs: config.session.rememberMeMs,
      now: now(),
    });
    (req.log ?? logger).info(
      { event: 'password_changed', username: user.username, ip: req.ip, sessionsEnded: ended },
      'password changed',
    );
    if (wantsJson(req)) {
      res.json({ message: 'Password changed' });
      return;
    }
    flash(req, 'success', 'Your password has been changed. Every other device has been signed out.');
    res.redirect(303, '/account/sessions');
  };

  return { listSessions, revokeOne, revokeOthers, showPassword, changePassword };
}
