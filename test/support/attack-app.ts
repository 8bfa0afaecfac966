import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import pino from 'pino';
import request from 'supertest';
import { expect } from 'vitest';
import { createApp } from '../../src/app';
import type { Config } from '../../src/config';
import { totpCode } from '../../src/factors/totp';
import { REDACTED_PATHS } from '../../src/logger';
import type { Mailer } from '../../src/mail/mailer';
import { createMailer } from '../../src/mail/transports';
import { DEFAULT_THROTTLE_LIMITS, type ThrottleLimits } from '../../src/security/login-throttle';
import { DEFAULT_MAIL_LIMITS } from '../../src/security/mail-throttle';
import type { TestSmtpServer } from './smtp-server';
import { connectTestDb, releaseTestDb, testConfig } from './test-app';

/**
 * The real app as an attacker meets it (issue 19): a real mongod, mail to a real SMTP server in the test
 * process, a clock the test moves, and every log line kept (to look for tokens in them).
 */
export interface AttackApp {
  readonly app: Express;
  readonly config: Config;
  readonly connection: Connection;
  readonly mailer: Mailer;
  readonly clock: { now: number };
  /** Every log line written so far (JSON), request log included. */
  readonly logLines: string[];
  close(): Promise<void>;
}

export const ATTACK_PUBLIC_URL = 'https://folio.example';
export const ATTACK_PASSWORD = 'ochre kettle on the windowsill';
export const ATTACK_NEW_PASSWORD = 'seven quiet herons at dusk';
export type Agent = ReturnType<typeof request.agent>;

export async function startAttackApp(
  smtp: TestSmtpServer,
  options: { throttleLimits?: ThrottleLimits; env?: Record<string, string> } = {},
): Promise<AttackApp> {
  const connection = await connectTestDb();
  const config = testConfig({ PUBLIC_URL: ATTACK_PUBLIC_URL, SMTP_URL: smtp.url, LOG_LEVEL: 'info', ...options.env });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  const clock = { now: Date.now() };
  const mailer = createMailer(config, connection, logger, { retryDelaysMs: [50, 100] });
  const throttleLimits = options.throttleLimits ?? {
    ...DEFAULT_THROTTLE_LIMITS,
    anonymousSessionsPerMinute: 10_000,
    registrationsPerIp: 10_000,
  };
  const app = createApp({
    config,
    connection,
    logger,
    mailer,
    now: () => clock.now,
    mailLimits: { ...DEFAULT_MAIL_LIMITS, perIp: 10_000 },
    throttleLimits,
  });
  return {
    app,
    config,
    connection,
    mailer,
    clock,
    logLines,
    close: async () => {
      await mailer.close();
      await releaseTestDb(connection);
    },
  };
}

/** Registers (JSON) with an address, marks it confirmed, and returns the signed-in agent. */
export async function registerVerified(t: AttackApp, username: string): Promise<Agent> {
  const agent = request.agent(t.app);
  const res = await agent
    .post('/auth/register')
    .send({ username, password: ATTACK_PASSWORD, email: `${username}@example.com` });
  expect(res.status, res.text).toBe(201);
  await t.connection.collection('users').updateOne({ username }, { $set: { emailVerified: true } });
  return agent;
}

/** Turns authenticator codes on for a signed-in agent (in sudo) and returns the secret. */
export async function enableCodes(t: AttackApp, agent: Agent): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await agent.get('/account/two-factor').set('Accept', 'application/json');
  expect(setup.status).toBe(200);
  const secret = setup.body.secret as string;
  const res = await agent.post('/account/two-factor/enable').send({ code: totpCode(secret, t.clock.now) });
  expect(res.status, res.text).toBe(200);
  t.clock.now += 30_000;
  return { secret, recoveryCodes: res.body.recoveryCodes as string[] };
}

export function loginJson(agent: Agent, username: string, password = ATTACK_PASSWORD) {
  return agent.post('/auth/login').send({ username, password });
}
