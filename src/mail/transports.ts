import type { Connection } from 'mongoose';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { Mailer, type MailTransport } from './mailer';
import { OUTBOX_COLLECTION, type OutboxMail } from './outbox';
import type { RenderedMail } from './templates';

/**
 * SMTP through nodemailer: `smtp://` upgrades with STARTTLS when the server offers it, `smtps://` is TLS from
 * the first byte. Timeouts far below nodemailer's minutes-long defaults, so a dead server fails an attempt
 * quickly and the retry schedule, not a hung socket, decides when to try again.
 */
export function smtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    kind: 'smtp',
    async deliver(mail: RenderedMail) {
      await transporter.sendMail({ ...mail });
    },
    close: () => transporter.close(),
  };
}

/** Development without SMTP_URL: mail is kept in MongoDB and shown at /dev/mail (like Rails' letter_opener). */
export function outboxTransport(connection: Connection, now: () => number = Date.now): MailTransport {
  return {
    kind: 'outbox',
    async deliver(mail: RenderedMail) {
      const doc: OutboxMail = { ...mail, createdAt: new Date(now()) };
      await connection.collection<OutboxMail>(OUTBOX_COLLECTION).insertOne(doc);
    },
    close: () => {},
  };
}

/** Production without SMTP_URL: no mail at all (said once at start; recovery pages say it is unavailable). */
export const mailOff: MailTransport = {
  kind: 'off',
  deliver: async () => {},
  close: () => {},
};

export function createMailer(
  config: Config,
  connection: Connection,
  logger: Logger,
  options: { retryDelaysMs?: readonly number[] } = {},
): Mailer {
  const { mail } = config;
  const transport =
    mail.transport === 'smtp' && mail.smtpUrl
      ? smtpTransport(mail.smtpUrl)
      : mail.transport === 'outbox'
        ? outboxTransport(connection)
        : mailOff;
  return new Mailer({ transport, from: mail.from, logger, cacheTemplates: config.isProduction, ...options });
}
