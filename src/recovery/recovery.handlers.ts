import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { publicLink } from '../http/links';
import { respond } from '../http/respond';
import { parseForm } from '../http/validate';
import type { Mailer } from '../mail/mailer';
import type { MailThrottle } from '../security/mail-throttle';
import { type EventContext, eventContext, type SecurityLog } from '../security-log/security-log';
import type { SessionStore } from '../session/session-store';
import { zoneOfUser } from '../time/remember-time-zone';
import { formatForMail } from '../time/time-zone';
import { type AccountTokens, credentialsVersionOf } from '../users/account-tokens';
import { setPassword } from '../users/credentials';
import type { UserModel } from '../users/user.model';
import { renderLinkProblem } from './link-problem';
import { forgotSchema, resetPasswordSchema } from './recovery.schemas';
import { mailResetLink } from './reset-link';

export interface RecoveryDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly tokens: AccountTokens;
  readonly mailer: Mailer;
  readonly mailThrottle: MailThrottle;
  readonly sessions: SessionStore;
  readonly logger: Logger;
  readonly now: Clock;
  readonly securityLog: SecurityLog;
  /** Run once a reset has set the new password (the account's wrong-code streak ends: src/factors). */
  readonly onPasswordReset?: (userId: string) => Promise<void>;
}

/** The one answer to "forgot password", whoever asks about whichever address. */
export const FORGOT_ANSWER =
  'If that address is the confirmed address of an account, a link to reset its password is on its way. It works for a limited time.';
const UNAVAILABLE = 'Password recovery is not available on this site: it sends no mail.';

export function recoveryHandlers({
  config,
  users,
  tokens,
  mailer,
  mailThrottle,
  sessions,
  logger,
  now,
  securityLog,
  onPasswordReset,
}: RecoveryDeps) {
  const forgotView = { title: 'Forgot your password?', mailEnabled: mailer.enabled, sent: false };

  function refuseUnavailable(req: Request, res: Response): void {
    respond(req, res, {
      status: 503,
      json: () => ({ error: UNAVAILABLE }),
      html: { view: 'auth/forgot', locals: { ...forgotView, mailEnabled: false } },
    });
  }

  /**
   * Everything that depends on the address runs after the answer has gone, so known and unknown addresses
   * answer alike, in the same time. A link goes only to a confirmed address, at most 3 an hour.
   */
  async function sendResetLink(email: string, ip: string | undefined, context: EventContext): Promise<void> {
    if (!(await mailThrottle.requestFrom(ip)) || !(await mailThrottle.mailTo(email))) {
      logger.warn({ event: 'reset_throttled', ip }, 'reset request throttled: no mail sent');
      return;
    }
    const user = await users
      .findOne({ email, emailVerified: true }, { username: 1, email: 1, credentialsVersion: 1 })
      .lean();
    if (!user?.email) return;
    const userId = String(user._id);
    await mailResetLink({ config, tokens, mailer }, { ...user, email: user.email });
    logger.info({ event: 'reset_requested', userId, ip }, 'password reset link sent');
    await securityLog.record(userId, 'reset_requested', context);
  }

  /** The link's token, if it can still be used by the account it was issued for. */
  async function usableReset(token: string) {
    const found = await tokens.check('reset', token);
    if (!found.ok) return found;
    const user = await users.findById(found.record.userId, { username: 1, credentialsVersion: 1 }).lean();
    if (!user || credentialsVersionOf(user) !== found.record.credentialsVersion) {
      return { ok: false as const, problem: 'expired' as const };
    }
    return { ok: true as const, username: user.username, record: found.record };
  }

  const showForgot: RequestHandler = (_req, res) => {
    res.render('auth/forgot', forgotView);
  };

  const forgot: RequestHandler = (req, res) => {
    if (!mailer.enabled) return refuseUnavailable(req, res);
    const input = parseForm(forgotSchema, req.body, { view: 'auth/forgot', locals: forgotView });
    const ip = req.ip;
    const context = eventContext(req);
    mailer.later('reset request', () => sendResetLink(input.email, ip, context));
    respond(req, res, {
      status: 202,
      json: () => ({ message: FORGOT_ANSWER }),
      html: () => res.redirect(303, '/auth/forgot/sent'),
    });
  };

  const forgotSent: RequestHandler = (_req, res) => {
    res.render('auth/forgot', { ...forgotView, sent: true, message: FORGOT_ANSWER });
  };

  const showReset: RequestHandler = async (req, res) => {
    const token = String(req.params.token);
    // The address is the secret: no cache, shared or private, keeps a page of it.
    res.set('Cache-Control', 'no-store');
    const usable = await usableReset(token);
    if (!usable.ok) return renderLinkProblem(req, res, usable.problem, 'reset');
    respond(req, res, {
      json: () => ({ username: usable.username }),
      html: { view: 'auth/reset', locals: { title: 'Choose a new password', token, username: usable.username } },
    });
  };

  const reset: RequestHandler = async (req, res) => {
    const token = String(req.params.token);
    const usable = await usableReset(token);
    if (!usable.ok) return renderLinkProblem(req, res, usable.problem, 'reset');
    const input = parseForm(resetPasswordSchema, req.body, {
      view: 'auth/reset',
      locals: { title: 'Choose a new password', token, username: usable.username },
    });
    // Spent atomically: of two submissions of one link, one sets the password and the other gets the page.
    const spent = await tokens.consume('reset', token);
    if (!spent.ok) return renderLinkProblem(req, res, spent.problem, 'reset');
    const { userId } = spent.record;
    // A password change that won the race since the check above voids the link all the same.
    const current = await users.findById(userId, { credentialsVersion: 1, timeZone: 1 }).lean();
    if (!current || credentialsVersionOf(current) !== spent.record.credentialsVersion) {
      return renderLinkProblem(req, res, 'expired', 'reset');
    }
    const { sessionsEnded } = await setPassword(
      { users, sessions, bcryptCost: config.bcryptCost },
      { userId, newPassword: input.password },
    );
    await tokens.revokeAll('reset', userId);
    await onPasswordReset?.(userId);
    await securityLog.record(userId, 'reset_completed', eventContext(req), { sessionsEnded });
    mailer.send({
      to: spent.record.email,
      template: 'password-changed',
      data: {
        username: usable.username,
        when: formatForMail(now(), zoneOfUser(current)),
        forgotUrl: publicLink(config.publicUrl, '/auth/forgot'),
      },
    });
    req.log.info({ event: 'password_reset', userId, ip: req.ip, sessionsEnded }, 'password reset');
    respond(req, res, {
      json: () => ({ message: 'Password changed', sessionsEnded }),
      html: () => {
        res.redirect(303, '/auth/reset/done');
      },
    });
  };

  const resetDone: RequestHandler = (_req, res) => {
    res.render('auth/reset-done', { title: 'Password changed' });
  };

  return { showForgot, forgot, forgotSent, showReset, reset, resetDone };
}
