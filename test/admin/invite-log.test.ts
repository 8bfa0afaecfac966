import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

const lines: string[] = [];
let t: TestApp;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  t = await startTestApp({ logger: pino({ level: 'info' }, sink) });
});
afterAll(() => t.close());

describe('invitation links in the log', () => {
  it('the request log never holds an invitation token', async () => {
    const owner = request.agent(t.app);
    await registerJson(owner, 'logowner');
    await owner.post('/admin/invites').send({ email: 'logged@example.org', role: 'author' });
    let token = '';
    for (let i = 0; i < 50 && !token; i += 1) {
      const mail = await t.connection.collection('mail_outbox').findOne({ to: 'logged@example.org' });
      token = /\/auth\/invite\/([A-Za-z0-9_-]{43})/.exec(String(mail?.text ?? ''))?.[1] ?? '';
      if (!token) await new Promise((r) => setTimeout(r, 100));
    }
    expect(token).toHaveLength(43);
    await request(t.app).get(`/auth/invite/${token}`).expect(200);
    await request(t.app).get(`/auth/invite/${token}?x=1`).expect(200);
    const logged = lines.join('');
    expect(logged).toContain('/auth/invite/:token');
    expect(logged).not.toContain(token);
  });
});
