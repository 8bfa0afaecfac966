import type { Logger } from 'pino';
import type { Config } from '../config';
import { publicLink } from '../http/links';
import type { Mailer } from '../mail/mailer';
import { maskEmail } from '../mail/mask-email';
import { describeDuration } from '../mail/templates';
import type { MailThrottle } from '../security/mail-throttle';
import { type AccountTokens, credentialsVersionOf } from './account-tokens';
import { isDuplicateKeyError, type UserModel } from './user.model';

export interface EmailAddressDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly tokens: AccountTokens;
  readonly mailer: Mailer;
  readonly mailThrottle: MailThrottle;
  readonly logger: Logger;
}

export interface AddressOwner {
  readonly id: string;
  readonly username: string;
  readonly credentialsVersion: number;
}

export type ConfirmResult =
  | { ok: true; userId: string; email: string }
  | { ok: false; problem: 'unknown' | 'expired' | 'taken' };

/**
 * An account's address: a link to confirm a new one, a notice to the old one, and the confirmation.
 * Until a new address is confirmed, the previously verified one stays the recovery address.
 */
export class EmailAddresses {
  constructor(private readonly deps: EmailAddressDeps) {}

  /**
   * Sends a confirmation link for `email` (and, when it replaces a verified address, a notice to that one).
   * Throttled per client and per address; a throttled request looks exactly like one that was sent.
   */
  async startVerification(
    owner: AddressOwner,
    email: string,
    ip: string | undefined,
    previousVerified?: string | undefined,
  ): Promise<void> {
    const { config, tokens, mailer, mailThrottle } = this.deps;
    if (!mailer.enabled || !(await mailThrottle.requestFrom(ip))) return;
    if (await mailThrottle.mailTo(email)) {
      const token = await tokens.issue({
        kind: 'verify',
        userId: owner.id,
        email,
        credentialsVersion: owner.credentialsVersion,
        ttlMs: config.tokens.verifyMs,
      });
      mailer.send({
        to: email,
        template: 'verify-email',
        data: {
          username: owner.username,
          email,
          link: publicLink(config.publicUrl, `/account/email/verify/${token}`),
          expiresIn: describeDuration(config.tokens.verifyMs),
        },
      });
    }
    if (previousVerified && previousVerified !== email && (await mailThrottle.mailTo(previousVerified))) {
      mailer.send({
        to: previousVerified,
        template: 'email-change-notice',
        data: {
          username: owner.username,
          maskedNewEmail: maskEmail(email),
          accountUrl: publicLink(config.publicUrl, '/account/email'),
        },
      });
    }
  }

  /** For the page a link opens: the address it would confirm, or why it cannot. Changes nothing. */
  async check(token: string): Promise<{ ok: true; email: string } | { ok: false; problem: 'unknown' | 'expired' }> {
    const found = await this.deps.tokens.check('verify', token);
    if (!found.ok) return found;
    const user = await this.deps.users.findById(found.record.userId, { credentialsVersion: 1 }).lean();
    if (!user || credentialsVersionOf(user) !== found.record.credentialsVersion)
      return { ok: false, problem: 'expired' };
    return { ok: true, email: found.record.email };
  }

  /** Spends a verification link and makes its address the account's verified one. */
  async confirm(token: string): Promise<ConfirmResult> {
    const { users, tokens } = this.deps;
    const spent = await tokens.consume('verify', token);
    if (!spent.ok) return spent;
    const { record } = spent;
    const user = await users.findById(record.userId, { credentialsVersion: 1 }).lean();
    if (!user || credentialsVersionOf(user) !== record.credentialsVersion) return { ok: false, problem: 'expired' };
    try {
      await users.updateOne({ _id: record.userId }, { $set: { email: record.email, emailVerified: true } });
    } catch (err) {
      // Another account confirmed this address first (the partial unique index): the mailbox's owner,
      // who holds this link, may be told.
      if (isDuplicateKeyError(err)) return { ok: false, problem: 'taken' };
      throw err;
    }
    // A reset link mailed to the previous address stops working: that address no longer speaks for the account.
    await Promise.all([tokens.revokeAll('verify', record.userId), tokens.revokeAll('reset', record.userId)]);
    return { ok: true, userId: record.userId, email: record.email };
  }
}
