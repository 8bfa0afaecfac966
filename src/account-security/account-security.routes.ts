import { type RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { checkCurrentPassword } from '../account/current-password';
import type { AccountDeletion } from '../account-deletion/account-deletion';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { exportEverything, type PersonalDataRegistry } from '../db/personal-data';
import { describeDevice } from '../http/describe-device';
import { FormError } from '../http/errors';
import { wantsJson } from '../http/negotiate';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import { parseForm } from '../http/validate';
import type { Mailer } from '../mail/mailer';
import { renderLinkProblem } from '../recovery/link-problem';
import { mailResetLink } from '../recovery/reset-link';
import type { AuthThrottle } from '../security/login-throttle';
import type { PasswordVerifier } from '../security/passwords';
import { signedInRouter } from '../security/signed-in-router';
import { EVENT_TEXT, eventContext, type SecurityLog } from '../security-log/security-log';
import { currentUser } from '../session/current-user';
import type { SessionStore } from '../session/session-store';
import { markThisDevice } from '../session/sessions.personal-data';
import { zoneOfUser } from '../time/remember-time-zone';
import { formatDateTimeIn } from '../time/time-zone';
import type { AccountTokens } from '../users/account-tokens';
import type { UserModel } from '../users/user.model';

export interface AccountSecurityDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly sessions: SessionStore;
  readonly securityLog: SecurityLog;
  readonly deletion: AccountDeletion;
  readonly tokens: AccountTokens;
  readonly mailer: Mailer;
  readonly verifyPassword: PasswordVerifier;
  readonly throttle: AuthThrottle;
  readonly logger: Logger;
  readonly now: Clock;
  /** requireSudo, configured (account/sudo.ts). */
  readonly sudo: RequestHandler;
  readonly personalData: PersonalDataRegistry;
  /** Whether the account has authenticator codes ("this wasn't me" suggests turning them on). */
  readonly factors: { hasTwoFactor(userId: string): Promise<boolean> };
}

const pageSchema = z.coerce.number().int().min(1).max(10_000).catch(1);
const deleteSchema = z.object({
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(1024),
});

/**
 * The account's security, in its owner's hands: the security log (/account/security), the data export,
 * closing the account with a way back (/account/delete, /account/restore/:token), and "this wasn't me"
 * from a new-device alert (/account/not-me/:token).
 */
/** How a sign-in happened, in words, and whether its session is still live (and whether it is this one). */
function signInRow(
  details: Readonly<Record<string, string | number | boolean>> | undefined,
  live: ReadonlySet<string>,
  current: string | undefined,
) {
  const method = typeof details?.method === 'string' ? SIGN_IN_METHOD_TEXT[details.method] : undefined;
  const session = typeof details?.session === 'string' && live.has(details.session) ? details.session : undefined;
  return { method, liveSession: session, currentSession: session !== undefined && session === current };
}

const SIGN_IN_METHOD_TEXT: Readonly<Record<string, string>> = {
  password: 'with a password',
  passkey: 'with a passkey',
  two_factor: 'with a password and a code',
  recovery_code: 'with a password and a recovery code',
};

export function accountSecurityRoutes(deps: AccountSecurityDeps): Router {
  const { config, users, sessions, securityLog, deletion, tokens, mailer, verifyPassword, throttle, now, factors } =
    deps;
  const router = Router();

  const showLog: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const page = pageSchema.parse(req.query.page);
    const { events, hasMore } = await securityLog.page(user.id, page);
    // issue 25: a sign-in whose session still lives can be ended from its row.
    const live = new Set((await sessions.listByUser(user.id)).map((s) => s.publicId));
    const items = events.map((e) => ({
      ...signInRow(e.details, live, req.session.device?.publicId),
      type: e.type,
      what: EVENT_TEXT[e.type],
      at: e.at,
      ip: e.ip,
      device: e.device,
      count: e.count,
      newDevice: e.details?.newDevice === true,
      details: e.details ?? {},
    }));
    respond(req, res, {
      json: () => ({ events: items, page, hasMore }),
      html: { view: 'account/security', locals: { title: 'Security log', events: items, page, hasMore, now: now() } },
    });
  };

  /**
   * Everything of the user's, as one JSON file: what each feature's registry entry exports (its key is the
   * entry's name). Nothing secret: no hash, no token, no session id.
   */
  const exportData: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const parts = await exportEverything(deps.personalData, user);
    markThisDevice(parts.devices, req.sessionID);
    await securityLog.record(user.id, 'data_exported', eventContext(req));
    const data = { exportedAt: new Date(now()).toISOString(), ...parts };
    const day = new Date(now()).toISOString().slice(0, 10);
    res.set('Content-Disposition', `attachment; filename="folio-${user.username}-${day}.json"`);
    res.type('application/json').send(JSON.stringify(data, null, 2));
  };

  const showDelete: RequestHandler = (_req, res) => {
    res.render('account/delete', { title: 'Delete your account', graceDays: config.deletionGraceDays });
  };

  const destroy: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const form = {
      view: 'account/delete',
      locals: { title: 'Delete your account', graceDays: config.deletionGraceDays },
    };
    const input = parseForm(deleteSchema, req.body, form);
    if (!(await checkCurrentPassword({ users, verifyPassword, throttle, securityLog }, req, user, input.password))) {
      throw new FormError(422, form.view, form.locals, { password: 'That is not your password' }, {});
    }
    const purgeAfter = await deletion.schedule(user, eventContext(req));
    req.log.info({ event: 'account_closed', userId: user.id, ip: req.ip }, 'account closed; purge scheduled');
    // This session was ended with all the others; expire its cookie too.
    const { cookieName, cookieSecure } = config.session;
    res.clearCookie(cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieSecure });
    respond(req, res, {
      json: () => ({ message: 'Account closed', purgeAfter }),
      html: { view: 'account/deleted', locals: { title: 'Your account is closed', purgeAfter, currentUser: null } },
    });
  };

  const showRestore: RequestHandler = async (req, res) => {
    const check = await tokens.check('undo-delete', String(req.params.token));
    if (!check.ok) return renderLinkProblem(req, res, check.problem, 'undo-delete');
    res.render('account/restore', { title: 'Keep your account', token: String(req.params.token) });
  };

  const restore: RequestHandler = async (req, res) => {
    const used = await tokens.consume('undo-delete', String(req.params.token));
    if (!used.ok) return renderLinkProblem(req, res, used.problem, 'undo-delete');
    const restored = await deletion.cancel(used.record.userId, eventContext(req));
    if (!restored) return renderLinkProblem(req, res, 'expired', 'undo-delete');
    respond(req, res, {
      json: () => ({ message: 'Account restored' }),
      html: { view: 'account/restored', locals: { title: 'Your account is back' } },
    });
  };

  const showNotMe: RequestHandler = async (req, res) => {
    const check = await tokens.check('not-me', String(req.params.token));
    if (!check.ok) return renderLinkProblem(req, res, check.problem, 'not-me');
    // issue 25: which sign-in this is about — its device, time (in the account's zone) and address.
    const { userId, subject } = check.record;
    const live = subject ? (await sessions.listByUser(userId)).find((s) => s.publicId === subject) : undefined;
    const owner = await users.findById(userId, { timeZone: 1 }).lean();
    const signIn = live && {
      device: describeDevice(live.userAgent),
      ip: live.ip,
      at: live.signedInAt,
      when: formatDateTimeIn(live.signedInAt, zoneOfUser(owner)),
    };
    res.render('account/not-me', { title: 'This wasn’t me', token: String(req.params.token), signIn });
  };

  /** Ends the reported session at once (for good: see session-store.ts), logs it, mails a reset link. */
  const notMe: RequestHandler = async (req, res) => {
    const used = await tokens.consume('not-me', String(req.params.token));
    if (!used.ok) return renderLinkProblem(req, res, used.problem, 'not-me');
    const { userId, subject } = used.record;
    const ended = subject ? await sessions.endOne(userId, subject, 'revoked') : false;
    await securityLog.record(userId, 'not_me', eventContext(req), { sessionEnded: ended });
    req.log.warn({ event: 'not_me', userId, ip: req.ip, sessionEnded: ended }, 'sign-in reported as not me');
    const user = await users
      .findById(userId, { username: 1, email: 1, emailVerified: 1, credentialsVersion: 1 })
      .lean();
    if (user?.email && user.emailVerified) {
      await mailResetLink({ config, tokens, mailer }, { ...user, email: user.email });
      await securityLog.record(userId, 'reset_requested', eventContext(req));
    }
    if (wantsJson(req)) {
      res.json({ message: 'Signed out', sessionEnded: ended });
      return;
    }
    // issue 25: the next steps, right here. Signed in as that account (elsewhere than the reported browser),
    // the password can be changed now; otherwise the mailed link does it.
    const signedInHere = req.session.user?.id === userId;
    const twoFactorOn = await factors.hasTwoFactor(userId);
    res.render('account/not-me-done', {
      title: 'That browser is signed out',
      sessionEnded: ended,
      signedInHere,
      twoFactorOn,
      mailed: Boolean(user?.email && user.emailVerified),
    });
  };

  // The links from mail work for whoever holds them, signed in or not (often on another device).
  router.get('/restore/:token', [publicRoute], showRestore);
  router.post('/restore/:token', [publicRoute], restore);
  router.get('/not-me/:token', [publicRoute], showNotMe);
  router.post('/not-me/:token', [publicRoute], notMe);
  const own = signedInRouter();
  own.get('/security', showLog);
  own.get('/export', [deps.sudo], exportData);
  own.get('/delete', showDelete);
  own.post('/delete', [deps.sudo], destroy);
  router.use(own);
  return router;
}
