import type { Request, RequestHandler, Response } from 'express';
import { FormError, NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { respond } from '../http/respond';
import { parseForm } from '../http/validate';
import type { Mailer } from '../mail/mailer';
import { maskEmail } from '../mail/mask-email';
import { renderLinkProblem } from '../recovery/link-problem';
import type { AuthThrottle } from '../security/login-throttle';
import type { PasswordVerifier } from '../security/passwords';
import { audit } from '../security-log/audit';
import type { SecurityLog } from '../security-log/security-log';
import { currentUser } from '../session/current-user';
import { type AccountTokens, credentialsVersionOf } from '../users/account-tokens';
import { changeEmailSchema } from '../users/email.schemas';
import type { EmailAddresses } from '../users/email.service';
import type { UserModel } from '../users/user.model';
import { checkCurrentPassword } from './current-password';

export interface EmailDeps {
  readonly users: UserModel;
  readonly addresses: EmailAddresses;
  readonly tokens: AccountTokens;
  readonly mailer: Mailer;
  readonly verifyPassword: PasswordVerifier;
  readonly throttle: AuthThrottle;
  readonly securityLog: SecurityLog;
}

const TITLE = 'Email address';

export function emailHandlers({ users, addresses, tokens, mailer, verifyPassword, throttle, securityLog }: EmailDeps) {
  /** What the page shows: the address, whether it recovers the account, and one waiting for confirmation. */
  async function addressState(userId: string) {
    const [record, pending] = await Promise.all([
      users.findById(userId, { email: 1, emailVerified: 1 }).lean(),
      tokens.pendingVerification(userId),
    ]);
    if (!record) throw new NotFoundError('No such user');
    const email = record.email ?? null;
    const verified = Boolean(email && record.emailVerified);
    // Without a verified address the requested one is already on the account: nothing else is pending.
    return { email, verified, pending: pending && pending !== email ? pending : null };
  }

  const showEmail: RequestHandler = async (req, res) => {
    const state = await addressState(currentUser(req).id);
    respond(req, res, {
      json: () => ({ email: state.email, emailVerified: state.verified, pendingEmail: state.pending }),
      html: { view: 'account/email', locals: { title: TITLE, ...state, mailEnabled: mailer.enabled } },
    });
  };

  const changeEmail: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const state = await addressState(user.id);
    const form = { view: 'account/email', locals: { title: TITLE, ...state, mailEnabled: mailer.enabled } };
    const input = parseForm(changeEmailSchema, req.body, form);
    if (
      !(await checkCurrentPassword({ users, verifyPassword, throttle, securityLog }, req, user, input.currentPassword))
    ) {
      throw new FormError(
        422,
        form.view,
        form.locals,
        { currentPassword: 'That is not your current password' },
        { email: input.email },
      );
    }
    const record = await users.findById(user.id, { credentialsVersion: 1, email: 1, emailVerified: 1 }).lean();
    if (!record) throw new NotFoundError('No such user');
    const previousVerified = record.emailVerified && record.email ? record.email : undefined;
    if (input.email === previousVerified) {
      return answer(req, res, 200, 'info', `${input.email} is already your confirmed address.`, input.email);
    }
    // Without a verified address there is nothing to keep for recovery: the new one takes its place at once.
    if (!previousVerified) {
      await users.updateOne({ _id: user.id }, { $set: { email: input.email, emailVerified: false } });
    }
    await addresses.startVerification(
      { id: user.id, username: user.username, credentialsVersion: credentialsVersionOf(record) },
      input.email,
      req.ip,
      previousVerified,
    );
    await audit(req, securityLog, {
      userId: user.id,
      type: previousVerified ? 'email_changed' : 'email_added',
      details: { address: maskEmail(input.email) },
      line: { event: 'email_change_requested', fields: { userId: user.id }, message: 'address change' },
    });
    const keep = previousVerified ? ` Until you confirm it, ${previousVerified} stays your recovery address.` : '';
    return answer(req, res, 202, 'success', `We sent a confirmation link to ${input.email}.${keep}`, input.email);
  };

  const showVerify: RequestHandler = async (req, res) => {
    const token = String(req.params.token);
    // The address is the secret: no cache, shared or private, keeps a page of it.
    res.set('Cache-Control', 'no-store');
    const found = await addresses.check(token);
    if (!found.ok) return renderLinkProblem(req, res, found.problem, 'verify');
    respond(req, res, {
      json: () => ({ email: found.email }),
      html: { view: 'account/email-verify', locals: { title: 'Confirm your address', email: found.email, token } },
    });
  };

  const verify: RequestHandler = async (req, res) => {
    const result = await addresses.confirm(String(req.params.token));
    if (!result.ok && result.problem !== 'taken') return renderLinkProblem(req, res, result.problem, 'verify');
    if (!result.ok) {
      respond(req, res, {
        status: 409,
        json: () => ({ error: 'This address is already confirmed for another account' }),
        html: { view: 'account/email-verified', locals: { title: 'Address not confirmed', taken: true } },
      });
      return;
    }
    await audit(req, securityLog, {
      userId: result.userId,
      type: 'email_verified',
      details: { address: maskEmail(result.email) },
      line: { fields: { userId: result.userId }, message: 'address confirmed' },
    });
    respond(req, res, {
      json: () => ({ message: 'Address confirmed', email: result.email }),
      html: () => {
        if (req.session.user?.id === result.userId) {
          flash(req, 'success', `${result.email} is now your confirmed address.`);
          res.redirect(303, '/account/email');
          return;
        }
        // A visitor who is not signed in (another browser, a phone): no session to flash in, so a plain page.
        res.redirect(303, '/account/email/verified');
      },
    });
  };

  const showVerified: RequestHandler = (_req, res) => {
    res.render('account/email-verified', { title: 'Address confirmed', taken: false });
  };

  return { showEmail, changeEmail, showVerify, verify, showVerified };
}

function answer(
  req: Request,
  res: Response,
  status: number,
  kind: 'info' | 'success',
  message: string,
  email: string,
): void {
  respond(req, res, {
    status,
    json: () => ({ message, email }),
    html: () => {
      flash(req, kind, message);
      res.redirect(303, '/account/email');
    },
  });
}
