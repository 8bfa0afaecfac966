import type { Express } from 'express';
import { HtmlValidate } from 'html-validate';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, expect } from 'vitest';
import type { PageViews } from '../../src/account/page-views';
import { createApp } from '../../src/app';
import type { Config } from '../../src/config';
import type { PageCache } from '../../src/http/page-cache';
import { createLogger } from '../../src/logger';
import type { Mailer } from '../../src/mail/mailer';
import { createMailer } from '../../src/mail/transports';
import { DEFAULT_THROTTLE_LIMITS, type ThrottleLimits } from '../../src/security/login-throttle';
import { DEFAULT_MAIL_LIMITS, type MailLimits } from '../../src/security/mail-throttle';
import type { WriteLimits } from '../../src/security/rate-limit';
import { createServices, type Services } from '../../src/services';
import { PASSWORD } from './http';
import type { TestSmtpServer } from './smtp-server';
import { connectTestDb, releaseTestDb, testConfig } from './test-app';

/**
 * The one way tests start Folio in-process: `startApp({ mail, clock, limits, … })`, or `useApp(…)` for a test
 * file's shared app. Every part of the app reads `clock`, so tests move time instead of sleeping.
 */

/** A supertest agent: one cookie jar, one "browser". */
export type Agent = ReturnType<typeof request.agent>;

/**
 * The time the app sees. `new TestClock()` follows real time until a test moves it (advance() keeps it
 * running, shifted); `new TestClock(ms)` stands still at `ms` until moved (`clock.now += …` or advance()).
 */
export class TestClock {
  private fixed: number | undefined;
  private offset = 0;
  constructor(start?: number) {
    this.fixed = start;
  }
  /** The current time in ms; assigning it stops the clock there. */
  get now(): number {
    return this.fixed ?? Date.now() + this.offset;
  }
  set now(ms: number) {
    this.fixed = ms;
  }
  /** The same as `now` (the name blog tests used). */
  get ms(): number {
    return this.now;
  }
  set ms(ms: number) {
    this.now = ms;
  }
  /** The clock function handed to the app. */
  readonly read = (): number => this.now;
  advance(ms: number): void {
    if (this.fixed === undefined) this.offset += ms;
    else this.fixed += ms;
  }
}

/** Throttle and mail limits: `raised` (default: every request of a test comes from 127.0.0.1) or `default`. */
export type Limits = 'raised' | 'default';

export interface StartAppOptions {
  env?: Record<string, string>;
  /** Share a database with another app (a second process, as far as MongoDB goes); the caller closes it. */
  connection?: Connection;
  logger?: Logger;
  /** Default: real time, movable. */
  clock?: TestClock;
  /** A plain clock function instead of a TestClock (older callers). */
  now?: () => number;
  /**
   * Where mail goes: a real SMTP server (test/support/smtp-server.ts), or `outbox` (development outbox, the
   * default outside production). Sets PUBLIC_URL so links in mail are absolute and known.
   */
  mail?: TestSmtpServer | 'outbox';
  /** Waits between SMTP retries (short by default). */
  retryDelaysMs?: number[];
  /**
   * `raised`: per-client limits out of the way of a test file's many sign-ups from 127.0.0.1 (the default for
   * a mail app); `default`: as shipped (the default otherwise). mailLimits/throttleLimits override either.
   */
  limits?: Limits;
  mailLimits?: MailLimits;
  throttleLimits?: ThrottleLimits;
  writeLimits?: WriteLimits;
}

export interface TestApp {
  readonly app: Express;
  readonly config: Config;
  readonly connection: Connection;
  readonly logger: Logger;
  readonly mailer: Mailer;
  /** The clock every part of the app reads. */
  readonly clock: TestClock;
  /** The app's page-view buffer: `flush()` it to make counts in MongoDB exact. */
  readonly pageViews: PageViews;
  readonly pageCache: PageCache;
  /** The services the app was built from (its purge, its page cache…). */
  readonly services: Services;
  /** The services of another process on the same database (same mailer and clock). */
  anotherServices(): Services;
  /** Another app on the same database, mailer and clock: a second process, as far as sessions go. */
  another(): Express;
  close(): Promise<void>;
}

export const PUBLIC_URL = 'https://folio.example';

/** Starts the real app (createApp) on a fresh database of the run's mongod, unless given a connection. */
export async function startApp(options: StartAppOptions = {}): Promise<TestApp> {
  const connection = options.connection ?? (await connectTestDb());
  const mail = options.mail;
  const config = testConfig({
    ...(mail ? { PUBLIC_URL } : {}),
    ...(mail && mail !== 'outbox' ? { SMTP_URL: mail.url } : {}),
    ...options.env,
  });
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? new TestClock();
  const now = options.now ?? clock.read;
  const mailer = createMailer(config, connection, logger, { retryDelaysMs: options.retryDelaysMs ?? [50, 100] });
  const raised = (options.limits ?? (mail ? 'raised' : 'default')) === 'raised';
  const mailLimits = options.mailLimits ?? (raised ? { ...DEFAULT_MAIL_LIMITS, perIp: 10_000 } : undefined);
  const throttleLimits =
    options.throttleLimits ??
    (raised
      ? { ...DEFAULT_THROTTLE_LIMITS, anonymousSessionsPerMinute: 10_000, registrationsPerIp: 10_000 }
      : undefined);
  const deps = {
    config,
    connection,
    logger,
    now,
    mailer,
    mailLimits,
    throttleLimits,
    writeLimits: options.writeLimits,
  };
  const services = createServices(deps);
  return {
    app: createApp(services),
    services,
    anotherServices: () => createServices(deps),
    config,
    connection,
    logger,
    mailer,
    clock,
    pageViews: services.pageViews,
    pageCache: services.pageCache,
    another: () => createApp(createServices(deps)),
    close: async () => {
      await services.pageViews.flush();
      await mailer.close();
      if (!options.connection) {
        await releaseTestDb(connection);
      }
    },
  };
}

/**
 * The test file's app: started before its first test, closed after its last. Read it inside tests and hooks
 * (`t.app`), not at the top level of the file, where it is not started yet.
 */
export function useApp(options: StartAppOptions | (() => StartAppOptions) = {}): TestApp {
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startApp(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as TestApp, {
    get(_target, key) {
      if (!started) throw new Error(`useApp(): the app is not started yet (read ${String(key)} inside a test or hook)`);
      return Reflect.get(started, key);
    },
  });
}

export { PASSWORD };
/** Long and uncommon: passes the registration rules (the recovery and factor tests' password). */
export const STRONG_PASSWORD = 'ochre kettle on the windowsill';
export const NEW_PASSWORD = 'seven quiet herons at dusk';

/** Registers through the real endpoint (JSON), leaving the agent signed in. */
export async function signUp(
  agent: Agent,
  username: string,
  options: { password?: string; email?: string } = {},
): Promise<void> {
  const { password = PASSWORD, email } = options;
  const res = await agent.post('/auth/register').send({ username, password, ...(email ? { email } : {}) });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${res.text}`);
}

/** Signs in through the real endpoint (JSON); throws unless it worked. */
export async function signIn(agent: Agent, username: string, password = PASSWORD): Promise<void> {
  const res = await agent.post('/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
}

/** A new agent on `app`, signed up as `username` (and so signed in). */
export async function signedUpAgent(
  app: Express,
  username: string,
  options: { password?: string; email?: string } = {},
): Promise<Agent> {
  const agent = request.agent(app);
  await signUp(agent, username, options);
  return agent;
}

let validator: HtmlValidate | undefined;

/**
 * The page answered `status` and passes html-validate's recommended rules. `what` names it in a failure
 * (default: the request's path).
 */
export async function expectValidHtml(
  res: request.Response,
  options: { status?: number; what?: string } = {},
): Promise<void> {
  validator ??= new HtmlValidate({ extends: ['html-validate:recommended'] });
  // supertest keeps the Node request on the response; its path names the page in a failure.
  const what = options.what ?? (res as unknown as { req?: { path?: string } }).req?.path ?? '';
  expect(res.status, `${what}\n${res.text.slice(0, 300)}`).toBe(options.status ?? 200);
  const report = await validator.validateString(res.text);
  const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} line ${m.line}: ${m.message}`));
  expect(messages, `${what}\n${messages.join('\n')}`).toEqual([]);
}

/** The path (and query) of an absolute link, to request it from the app under test. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}
