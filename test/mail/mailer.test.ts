import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { Mailer } from '../../src/mail/mailer';
import { maskEmail } from '../../src/mail/mask-email';
import { smtpTransport } from '../../src/mail/transports';
import { startMailApp } from '../recovery/mail-app';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { testConfig } from '../support/test-app';

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
});

/** A logger whose JSON lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(testConfig({ LOG_LEVEL: 'info' }), stream), lines };
}

function mailerFor(url: string, logger = capturingLogger().logger, retryDelaysMs = [20, 40]) {
  return new Mailer({ transport: smtpTransport(url), from: 'Folio <no-reply@folio.example>', logger, retryDelaysMs });
}

const RESET = {
  template: 'reset-password',
  data: {
    username: 'o’brien <b>&',
    link: 'https://folio.example/auth/reset/abc',
    expiresIn: '30 minutes',
    forgotUrl: 'https://folio.example/auth/forgot',
  },
} as const;

describe('the mailer', () => {
  it('sends a text and an HTML part, HTML escaped, the text readable as written', async () => {
    const mailer = mailerFor(smtp.url);
    mailer.send({ to: 'parts@example.org', ...RESET });
    await mailer.idle();
    const mail = await smtp.waitFor((m) => m.to.includes('parts@example.org'));
    expect(mail.parsed.from?.text).toContain('no-reply@folio.example');
    expect(mail.subject).toBe('Reset your Folio password');
    expect(mail.text).toContain('Hello o’brien <b>&,');
    expect(mail.text).toContain('https://folio.example/auth/reset/abc');
    expect(mail.text).not.toMatch(/<table|<p[ >]|&amp;/i);
    expect(mail.html).toContain('o’brien &lt;b&gt;&amp;');
    expect(mail.html).not.toContain('<b>&');
    expect(mail.html).toContain('href="https://folio.example/auth/reset/abc"');
    mailer.close();
  });

  it('retries a temporary SMTP failure and then delivers', async () => {
    const { logger, lines } = capturingLogger();
    const mailer = mailerFor(smtp.url, logger);
    const refusedBefore = smtp.refused;
    smtp.failNext(2);
    mailer.send({ to: 'retry@example.org', ...RESET });
    await mailer.idle();
    expect(smtp.refused - refusedBefore).toBe(2);
    expect(smtp.mails.filter((m) => m.to.includes('retry@example.org'))).toHaveLength(1);
    expect(lines.filter((l) => l.event === 'mail_retry')).toHaveLength(2);
    expect(lines.find((l) => l.event === 'mail_sent')).toMatchObject({ attempt: 3, to: 're•••@ex•••.org' });
    mailer.close();
  });

  it('gives up after a few attempts and logs it, without the link or the address in the log', async () => {
    const { logger, lines } = capturingLogger();
    const mailer = mailerFor(smtp.url, logger);
    smtp.failNext(3);
    mailer.send({ to: 'giveup@example.org', ...RESET });
    await mailer.idle();
    expect(smtp.mails.filter((m) => m.to.includes('giveup@example.org'))).toHaveLength(0);
    const failed = lines.find((l) => l.event === 'mail_failed');
    expect(failed).toMatchObject({ attempt: 3, level: 50 });
    const log = JSON.stringify(lines);
    expect(log).not.toContain('giveup@example.org');
    expect(log).not.toContain('/auth/reset/abc');
    mailer.close();
  });

  it('masks addresses so their owner recognises them and nobody else learns them', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('ja•••@ex•••.com');
    expect(maskEmail('al@x.io')).toBe('a•••@x•••.io');
    expect(maskEmail('bad')).toBe('•••');
  });
});

describe('with the SMTP server down', () => {
  it('requests answer as usual, nothing crashes, and the failure is logged', async () => {
    const down = await startSmtpServer();
    const url = down.url;
    await down.close(); // nothing listens there any more
    const { logger, lines } = capturingLogger();
    const t = await startMailApp({ env: { SMTP_URL: url }, logger, retryDelaysMs: [10] });
    try {
      const agent = request.agent(t.app);
      const registered = await agent
        .post('/auth/register')
        .send({ username: 'offline', password: 'ochre kettle on the windowsill', email: 'offline@example.org' });
      expect(registered.status).toBe(201);
      const forgot = await request(t.app).post('/auth/forgot').send({ email: 'offline@example.org' });
      expect(forgot.status).toBe(202);
      await t.mailer.idle();
      expect(lines.some((l) => l.event === 'mail_failed')).toBe(true);
      expect((await agent.get('/auth/profile')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
