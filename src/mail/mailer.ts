import path from 'node:path';
import ejs from 'ejs';
import type { Logger } from 'pino';
import { viewsDir } from '../paths';
import { maskEmail } from './mask-email';
import { type OutgoingMail, type RenderedMail, SUBJECTS } from './templates';

/** Where rendered mail goes: an SMTP server, the development outbox, or nowhere (mail off). */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox' | 'off';
  deliver(mail: RenderedMail): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  readonly transport: MailTransport;
  readonly from: string;
  readonly logger: Logger;
  /** Waits before the 2nd, 3rd… attempt; its length is the number of retries. */
  readonly retryDelaysMs?: readonly number[];
  /** Cache compiled templates (production). */
  readonly cacheTemplates?: boolean;
}

/** A transient SMTP failure (server restarting, greylisting) usually clears within a minute. */
export const DEFAULT_RETRY_DELAYS_MS = [2_000, 10_000, 60_000] as const;
/** Jobs running at once: enough for bursts, few enough not to open dozens of SMTP connections. */
const CONCURRENCY = 4;
/** Past this many waiting jobs new ones are dropped (and logged): memory stays bounded when SMTP is down. */
const MAX_QUEUED = 1_000;

type Job = { readonly label: string; readonly run: () => Promise<void> };

/**
 * Sends mail off the request path. `send()` only queues, so a handler answers at once and in the same time
 * whether or not a mail goes out (no enumeration by timing), and a slow or broken SMTP server never fails,
 * delays or crashes a request: failures are retried a few times with growing waits, then logged.
 * `later()` runs other background work (the lookups behind "forgot password") in the same queue, so
 * `idle()` (tests, shutdown) waits for everything.
 */
export class Mailer {
  private readonly queue: Job[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly retryDelaysMs: readonly number[];

  constructor(private readonly options: MailerOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  /** False when mail is off (production without SMTP_URL): recovery pages say so instead of pretending. */
  get enabled(): boolean {
    return this.options.transport.kind !== 'off';
  }

  get transportKind(): MailTransport['kind'] {
    return this.options.transport.kind;
  }

  send(mail: OutgoingMail): void {
    if (!this.enabled) {
      this.options.logger.debug({ event: 'mail_skipped', template: mail.template }, 'mail is off: not sent');
      return;
    }
    this.push({ label: `mail ${mail.template}`, run: () => this.deliverWithRetries(mail) });
  }

  /** Background work whose outcome the requester must not see (or wait for); errors are logged. */
  later(label: string, run: () => Promise<void>): void {
    this.push({ label, run });
  }

  /** Resolves once every queued job (and the jobs they queued) has finished. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Shutdown: let queued mail go out (bounded by `waitMs`), then close the transport. */
  async close(waitMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    this.options.transport.close();
  }

  async render(mail: OutgoingMail): Promise<RenderedMail> {
    const dir = path.join(viewsDir, 'mail');
    const cache = this.options.cacheTemplates ?? false;
    const locals = { ...mail.data, subject: '' };
    // The subject's function takes its own template's data; the union type cannot say so.
    const subject = (SUBJECTS[mail.template] as (data: unknown) => string)(mail.data);
    locals.subject = subject;
    const [text, html] = await Promise.all([
      ejs.renderFile(path.join(dir, `${mail.template}.text.ejs`), locals, { cache }),
      ejs.renderFile(path.join(dir, `${mail.template}.html.ejs`), locals, { cache }),
    ]);
    return { from: this.options.from, to: mail.to, subject, text: tidyText(text), html };
  }

  private async deliverWithRetries(mail: OutgoingMail): Promise<void> {
    const rendered = await this.render(mail);
    const log = this.options.logger;
    const meta = { template: mail.template, to: maskEmail(mail.to), transport: this.options.transport.kind };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.transport.deliver(rendered);
        log.info({ event: 'mail_sent', ...meta, attempt }, 'mail sent');
        return;
      } catch (err) {
        const wait = this.retryDelaysMs[attempt - 1];
        const error = { name: errorName(err), message: errorMessage(err) };
        if (wait === undefined) {
          log.error({ event: 'mail_failed', ...meta, attempt, err: error }, 'mail could not be sent: giving up');
          return;
        }
        log.warn({ event: 'mail_retry', ...meta, attempt, err: error, retryInMs: wait }, 'mail failed: will retry');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private push(job: Job): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.options.logger.error({ event: 'mail_queue_full', job: job.label }, 'mail queue full: job dropped');
      return;
    }
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.running++;
      job
        .run()
        .catch((err: unknown) => {
          this.options.logger.error({ event: 'background_failed', job: job.label, err }, 'background job failed');
        })
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const resolve of waiters) resolve();
          }
        });
    }
  }
}

/** Text templates leave blank lines where their tags were: at most one empty line in a row (the "-- " signature line keeps its space). */
function tidyText(text: string): string {
  return `${text
    .split('\n')
    .map((line) => (line === '-- ' ? line : line.trimEnd()))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'Error';
}

/** SMTP errors carry the server's reply; nothing of the message (links, tokens) is in them. */
function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
}
