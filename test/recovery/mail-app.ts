import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type request from 'supertest';
import { createApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { Mailer } from '../../src/mail/mailer';
import { createMailer } from '../../src/mail/transports';
import { DEFAULT_THROTTLE_LIMITS } from '../../src/security/login-throttle';
import { DEFAULT_MAIL_LIMITS, type MailLimits } from '../../src/security/mail-throttle';
import { createServices, type Services } from '../../src/services';
import type { TestSmtpServer } from '../support/smtp-server';
import { connectTestDb, testConfig } from '../support/test-app';

export const PUBLIC_URL = 'https://folio.example';
/** Long and uncommon: passes the registration rules. */
export const STRONG_PASSWORD = 'ochre kettle on the windowsill';
export const NEW_PASSWORD = 'seven quiet herons at dusk';

export interface MailApp {
  readonly app: Express;
  readonly config: Config;
  readonly connection: Connection;
  readonly mailer: Mailer;
  readonly logger: Logger;
  /** The controllable clock every part of the app reads. */
  readonly clock: { now: number };
  /** Another app on the same database: a second process, as far as sessions and tokens go. */
  another(): Express;
  /** The services the app was built from (its purge, its page cache…). */
  readonly services: Services;
  /** The services of another process on the same database. */
  anotherServices(): Services;
  close(): Promise<void>;
}

/**
 * The real app with mail going to `smtp` (a real SMTP server) — or, without one, to the development outbox —
 * links under PUBLIC_URL, short retry waits and a controllable clock.
 */
export async function startMailApp(
  options: {
    smtp?: TestSmtpServer;
    env?: Record<string, string>;
    retryDelaysMs?: number[];
    logger?: Logger;
    mailLimits?: MailLimits;
    /** Keep every limit at its default (the throttling tests). */
    defaultLimits?: boolean;
  } = {},
): Promise<MailApp> {
  const connection = await connectTestDb();
  const config = testConfig({
    PUBLIC_URL,
    ...(options.smtp ? { SMTP_URL: options.smtp.url } : {}),
    ...options.env,
  });
  const logger = options.logger ?? createLogger(config);
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const mailer = createMailer(config, connection, logger, { retryDelaysMs: options.retryDelaysMs ?? [50, 100] });
  // Every request of a test file comes from 127.0.0.1: per-client limits are raised unless a test keeps them.
  const mailLimits =
    options.mailLimits ?? (options.defaultLimits ? DEFAULT_MAIL_LIMITS : { ...DEFAULT_MAIL_LIMITS, perIp: 10_000 });
  const throttleLimits = options.defaultLimits
    ? DEFAULT_THROTTLE_LIMITS
    : { ...DEFAULT_THROTTLE_LIMITS, anonymousSessionsPerMinute: 10_000, registrationsPerIp: 10_000 };
  const deps = { config, connection, logger, mailer, now, mailLimits, throttleLimits };
  const services = createServices(deps);
  const app = createApp(services);
  return {
    app,
    services,
    anotherServices: () => createServices(deps),
    config,
    connection,
    mailer,
    logger,
    clock,
    another: () => createApp(createServices(deps)),
    close: async () => {
      await mailer.close();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

export type Agent = ReturnType<typeof request.agent>;

/** Registers through the real endpoint (JSON), leaving the agent signed in. */
export async function register(agent: Agent, username: string, email?: string, password = STRONG_PASSWORD) {
  const res = await agent.post('/auth/register').send({ username, password, ...(email ? { email } : {}) });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${res.text}`);
}

export async function login(agent: Agent, username: string, password = STRONG_PASSWORD) {
  return agent.post('/auth/login').send({ username, password });
}

/** The path (and query) of an absolute link, to request it from the app under test. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}
