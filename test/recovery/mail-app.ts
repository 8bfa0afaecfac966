import type { Logger } from 'pino';
import type { MailLimits } from '../../src/security/mail-throttle';
import {
  type Agent,
  NEW_PASSWORD,
  PUBLIC_URL,
  pathOf,
  STRONG_PASSWORD,
  signUp,
  startApp,
  type TestApp,
  TestClock,
} from '../support/app';
import type { TestSmtpServer } from '../support/smtp-server';

/**
 * The recovery and factor tests' names for the harness (test/support/app.ts): startMailApp is startApp with
 * mail on (a real SMTP server, or the development outbox), links under PUBLIC_URL and a clock that stands
 * still until moved. New tests use test/support/app.ts directly.
 */

export { type Agent, NEW_PASSWORD, PUBLIC_URL, pathOf, STRONG_PASSWORD };
export type MailApp = TestApp;

export function startMailApp(
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
  return startApp({
    mail: options.smtp ?? 'outbox',
    env: options.env,
    retryDelaysMs: options.retryDelaysMs,
    logger: options.logger,
    mailLimits: options.mailLimits,
    limits: options.defaultLimits ? 'default' : 'raised',
    clock: new TestClock(Date.now()),
  });
}

/** signUp with these tests' password and an optional address. */
export async function register(agent: Agent, username: string, email?: string, password = STRONG_PASSWORD) {
  await signUp(agent, username, { email, password });
}

export async function login(agent: Agent, username: string, password = STRONG_PASSWORD) {
  return agent.post('/auth/login').send({ username, password });
}
