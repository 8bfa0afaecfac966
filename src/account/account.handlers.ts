import type { RequestHandler } from 'express';
import type { SignInService } from '../auth/sign-in.service';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { describeDevice } from '../http/describe-device';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { respond } from '../http/respond';
import type { AuthThrottle } from '../security/login-throttle';
import type { PasswordVerifier } from '../security/passwords';
import { audit } from '../security-log/audit';
import type { SecurityLog } from '../security-log/security-log';
import { currentUser } from '../session/current-user';
import type { SessionStore } from '../session/session-store';
import { setPassword } from '../users/credentials';
import type { UserModel } from '../users/user.model';
import { checkCurrentPassword } from './current-password';
import type { PageViews } from './page-views';
import { parsePasswordChange } from './password-form';

export interface AccountDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly sessions: SessionStore;
  readonly pageViews: PageViews;
  readonly verifyPassword: PasswordVerifier;
  readonly now: Clock;
  readonly throttle: AuthThrottle;
  readonly securityLog: SecurityLog;
  /** requireSudo, configured (sudo.ts). */
  readonly sudo: RequestHandler;
  /** A password change keeps this session signed in on a new id (through the one way in). */
  readonly signIns: SignInService;
}

export function accountHandlers({
  config,
  users,
  sessions,
  pageViews,
  verifyPassword,
  now,
  throttle,
  securityLog,
  signIns,
}: AccountDeps) {
  const listSessions: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const [list, views] = await Promise.all([sessions.listByUser(user.id), pageViews.count(req.sessionID)]);
    const items = list.map((s) => ({
      publicId: s.publicId,
      device: describeDevice(s.userAgent),
      ip: s.ip,
      signedInAt: s.signedInAt,
      lastSeenAt: s.lastSeenAt,
      remember: s.remember,
      current: s.sessionId === req.sessionID,
    }));
    respond(req, res, {
      json: () => ({ sessions: items, views }),
      html: { view: 'account/sessions', locals: { title: 'Devices', sessions: items, views, now: now() } },
    });
  };

  const revokeOne: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const publicId = String(req.params.sid);
    if (publicId === req.session.device?.publicId) {
      throw new NotFoundError('That is this session: use “Sign out” to end it');
    }
    if (!(await sessions.endOne(user.id, publicId, 'revoked'))) throw new NotFoundError('No such session');
    await audit(req, securityLog, {
      userId: user.id,
      type: 'session_revoked',
      line: { fields: { username: user.username }, message: 'session revoked' },
    });
    respond(req, res, {
      json: () => ({ message: 'Signed out' }),
      html: () => {
        flash(req, 'success', 'That device has been signed out.');
        res.redirect(303, '/account/sessions');
      },
    });
  };

  const revokeOthers: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const count = await sessions.endAllForUser(user.id, 'revoked', req.sessionID);
    await audit(req, securityLog, {
      userId: user.id,
      type: 'sessions_revoked',
      details: { count },
      line: { fields: { username: user.username, count }, message: 'other sessions revoked' },
    });
    respond(req, res, {
      json: () => ({ message: 'Signed out', count }),
      html: () => {
        flash(
          req,
          'success',
          count === 1 ? 'One other device has been signed out.' : `${count} other devices have been signed out.`,
        );
        res.redirect(303, '/account/sessions');
      },
    });
  };

  const showPassword: RequestHandler = (_req, res) => {
    res.render('account/password', { title: 'Change password' });
  };

  const changePassword: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const form = { view: 'account/password', locals: { title: 'Change password' } };
    // Every problem in one round: a mismatch and a wrong current password are reported together.
    const input = await parsePasswordChange(req, form, (password) =>
      checkCurrentPassword({ users, verifyPassword, throttle, securityLog }, req, user, password),
    );
    // Whoever else holds a session (perhaps the reason for the change) is out, and this one gets a new id.
    const { sessionsEnded: ended } = await setPassword(
      { users, sessions, bcryptCost: config.bcryptCost },
      { userId: user.id, newPassword: input.newPassword, keepSessionId: req.sessionID },
    );
    await pageViews.forget(req.sessionID);
    await signIns.renewAfterPasswordChange(req, user);
    await audit(req, securityLog, {
      userId: user.id,
      type: 'password_changed',
      details: { sessionsEnded: ended },
      line: { fields: { username: user.username, sessionsEnded: ended }, message: 'password changed' },
    });
    respond(req, res, {
      json: () => ({ message: 'Password changed' }),
      html: () => {
        flash(req, 'success', 'Your password has been changed. Every other device has been signed out.');
        res.redirect(303, '/account/sessions');
      },
    });
  };

  return { listSessions, revokeOne, revokeOthers, showPassword, changePassword };
}
