import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { Clock } from '../clock';
import { FormError, HttpError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { respond } from '../http/respond';
import { safeNextPath } from '../http/safe-redirect';
import { parseForm } from '../http/validate';
import type { AuthThrottle } from '../security/login-throttle';
import type { PasswordVerifier } from '../security/passwords';
import { eventContext, type SecurityLog } from '../security-log/security-log';
import type { UserModel } from '../users/user.model';
import { checkCurrentPassword } from './current-password';

/** A grant made with REAUTH_MINUTES=0 covers the one action the visitor was about to take, for this long. */
const ONE_ACTION_MS = 2 * 60_000;

export class ReauthenticationRequired extends HttpError {
  constructor() {
    super(401, 'Reauthentication required');
  }
}

/** True when a password was entered in this session recently enough for a sensitive action. */
function inSudo(req: Request, reauthMs: number, now: number): boolean {
  const auth = req.session.auth;
  if (!auth) return false;
  if (reauthMs === 0) return auth.sudoGrant !== undefined && now - auth.sudoGrant.at <= ONE_ACTION_MS;
  return auth.reauthAt !== undefined && now - auth.reauthAt <= reauthMs;
}

/**
 * Sudo mode, as GitHub has it: the sensitive actions (sign out everywhere, change address, delete the
 * account, export, every security setting) need a password entered in this session within REAUTH_MINUTES.
 * Otherwise a browser goes to "Confirm your password" and is brought back to the page it was on (the action's
 * own form: nothing is done on its behalf); a JSON client gets 401 {"error":"Reauthentication required"}.
 * With REAUTH_MINUTES=0 each action needs its own confirmation, spent by that action.
 * Runs after isAuthenticated.
 */
export function requireSudo(options: { reauthMs: number; now: Clock }): RequestHandler {
  return function requireSudo(req, res, next) {
    const now = options.now();
    if (inSudo(req, options.reauthMs, now)) {
      if (options.reauthMs === 0 && req.session.auth) req.session.auth.sudoGrant = undefined;
      return next();
    }
    if (wantsJson(req)) throw new ReauthenticationRequired();
    // Back to the page of this action (every sensitive action has one at its own path).
    res.redirect(303, `/account/confirm?next=${encodeURIComponent(req.baseUrl + req.path)}`);
  };
}

const confirmSchema = z.object({
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(1024),
  next: z.string().max(2048).optional(),
});

export interface SudoDeps {
  readonly users: UserModel;
  readonly verifyPassword: PasswordVerifier;
  readonly throttle: AuthThrottle;
  readonly securityLog: SecurityLog;
  readonly reauthMs: number;
  readonly now: Clock;
}

/** GET/POST /account/confirm: "Confirm your password", throttled like login. */
export function sudoHandlers({ users, verifyPassword, throttle, securityLog, reauthMs, now }: SudoDeps) {
  const title = 'Confirm your password';
  const show: RequestHandler = (req, res) => {
    res.render('account/confirm', { title, values: { next: safeNextPath(req.query.next, '/account/sessions') } });
  };

  const confirm: RequestHandler = async (req, res) => {
    const user = req.session.user;
    if (!user) throw new Error('isAuthenticated must guard /account/confirm');
    const form = { view: 'account/confirm', locals: { title } };
    const input = parseForm(confirmSchema, req.body, form);
    if (!(await checkCurrentPassword({ users, verifyPassword, throttle, securityLog }, req, user, input.password))) {
      throw new FormError(422, form.view, form.locals, { password: 'That is not your password' }, { next: input.next });
    }
    const t = now();
    if (req.session.auth) {
      req.session.auth.reauthAt = t;
      if (reauthMs === 0) req.session.auth.sudoGrant = { at: t };
    }
    await securityLog.record(user.id, 'reauthenticated', eventContext(req));
    respond(req, res, {
      json: () => ({ message: 'Confirmed' }),
      html: () => {
        flash(req, 'success', 'Thank you. You can go on.');
        res.redirect(303, safeNextPath(input.next, '/account/sessions'));
      },
    });
  };

  return { show, confirm };
}
