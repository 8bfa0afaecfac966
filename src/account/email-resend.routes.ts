import { type RequestHandler, Router } from 'express';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { respond } from '../http/respond';
import { safeNextPath } from '../http/safe-redirect';
import type { Mailer } from '../mail/mailer';
import { isAuthenticated } from '../security/is-authenticated';
import { type AccountTokens, credentialsVersionOf } from '../users/account-tokens';
import type { EmailAddresses } from '../users/email.service';
import type { UserModel } from '../users/user.model';

/**
 * issue 25: "Resend the link" in one press, from the banner and the Email page. It sends the confirmation
 * link again to the address already waiting (the one on the account, or the one asked for): no address to
 * retype and no password, since nothing changes but a new link — which the usual mail throttles bound
 * (EmailAddresses.startVerification: per client and per address, as for every such mail).
 */
export function emailResendRoutes(deps: {
  readonly users: UserModel;
  readonly addresses: EmailAddresses;
  readonly tokens: AccountTokens;
  readonly mailer: Mailer;
}): Router {
  const router = Router();

  const resend: RequestHandler = async (req, res) => {
    const user = req.session.user;
    if (!user) throw new Error('isAuthenticated must run before resend');
    const back = safeNextPath((req.body as Record<string, unknown> | undefined)?.returnTo, '/account/email');
    const [record, pending] = await Promise.all([
      deps.users.findById(user.id, { email: 1, emailVerified: 1, credentialsVersion: 1 }).lean(),
      deps.tokens.pendingVerification(user.id),
    ]);
    if (!record) throw new NotFoundError('No such user');
    const verified = record.email && record.emailVerified ? record.email : undefined;
    const waiting = pending && pending !== verified ? pending : !verified ? record.email : undefined;
    if (!waiting) {
      const text = verified ? `${verified} is already confirmed.` : 'There is no address to confirm: add one first.';
      respond(req, res, {
        status: 409,
        json: () => ({ error: text }),
        html: () => {
          flash(req, 'info', text);
          res.redirect(303, '/account/email');
        },
      });
      return;
    }
    if (!deps.mailer.enabled) {
      respond(req, res, {
        status: 503,
        json: () => ({ error: 'This site sends no mail' }),
        html: () => {
          flash(req, 'error', 'This site sends no mail, so the link cannot be sent.');
          res.redirect(303, back);
        },
      });
      return;
    }
    await deps.addresses.startVerification(
      { id: user.id, username: user.username, credentialsVersion: credentialsVersionOf(record) },
      waiting,
      req.ip,
      verified,
    );
    const text = `We sent a new confirmation link to ${waiting}. It may take a minute; check your spam folder too.`;
    respond(req, res, {
      status: 202,
      json: () => ({ message: text, email: waiting }),
      html: () => {
        flash(req, 'success', text);
        res.redirect(303, back);
      },
    });
  };

  router.post('/resend', [isAuthenticated], resend);
  return router;
}
