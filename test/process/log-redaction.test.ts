import type { DestinationStream } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { sessionCookieValue, sessionIdOf } from '../support/http';
import type { LogLine } from '../support/process-logs';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * What a login leaves in the logs: who and from where, never a secret. Everything the app logs (request log,
 * auth events, errors) is captured from the production logger writing JSON to memory.
 */

const PASSWORD = 'correct-horse-battery-staple-42';
const WRONG_PASSWORD = 'tr0ub4dor-and-3-wrong';
const BEARER = 'Bearer eyJhbGciOiJub25lIn0.very-secret-token';

const output: string[] = [];
const memory: DestinationStream = { write: (line: string) => void output.push(line) };
let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp({
    env: { LOG_LEVEL: 'info' },
    logger: createLogger({ logLevel: 'info', env: 'production' }, memory),
  });
});
afterAll(() => testApp.close());

const lines = (): LogLine[] => output.map((line) => JSON.parse(line) as LogLine);

describe('log lines of a login', () => {
  it('carry username and IP, never the password, the cookie value or the session id', async () => {
    expect(
      (await request(testApp.app).post('/auth/register').send({ username: 'ivy', password: PASSWORD })).status,
    ).toBe(201);
    const failed = await request(testApp.app).post('/auth/login').send({ username: 'ivy', password: WRONG_PASSWORD });
    expect(failed.status).toBe(401);

    const agent = request.agent(testApp.app);
    const login = await agent
      .post('/auth/login')
      .set('Authorization', BEARER)
      .send({ username: 'ivy', password: PASSWORD });
    expect(login.status).toBe(200);
    const cookieValue = sessionCookieValue(login);
    if (!cookieValue) throw new Error('login set no session cookie');
    const sessionId = sessionIdOf(cookieValue);
    // Requests that send the cookie back, and one that ends the session.
    expect((await agent.get('/auth/profile').set('Authorization', BEARER)).status).toBe(200);
    expect((await agent.get('/posts')).status).toBe(200);
    expect((await agent.post('/auth/logout').send({})).status).toBe(200);

    const all = output.join('');
    for (const secret of [PASSWORD, WRONG_PASSWORD, cookieValue, decodeURIComponent(cookieValue), sessionId, BEARER]) {
      expect(all).not.toContain(secret);
    }
    // The lines exist and are about this login: the assertions above are not vacuous.
    const succeeded = lines().find((l) => l.event === 'login');
    expect(succeeded).toMatchObject({ username: 'ivy', ip: expect.stringMatching(/127\.0\.0\.1/) });
    const refused = lines().find((l) => l.event === 'login_failed');
    expect(refused).toMatchObject({ username: 'ivy', ip: expect.stringMatching(/127\.0\.0\.1/) });
    const profileLines = lines().filter((l) => (l.req as { url?: string } | undefined)?.url === '/auth/profile');
    expect(profileLines).toHaveLength(1);
    // Request lines carry the client address as Express sees it and, once known, the user id.
    expect(profileLines[0]).toMatchObject({
      clientIp: expect.stringMatching(/127\.0\.0\.1/),
      userId: expect.any(String),
    });
  });

  it('log password-form failures, throttling and CSRF refusals as security events', async () => {
    const agent = request.agent(testApp.app);
    expect((await agent.post('/auth/login').send({ username: 'ivy', password: PASSWORD })).status).toBe(200);
    const wrongCurrent = await agent.post('/account/password').send({
      currentPassword: WRONG_PASSWORD,
      newPassword: 'a-new-passphrase-9',
      confirmPassword: 'a-new-passphrase-9',
    });
    expect(wrongCurrent.status).toBe(422);
    const forged = await agent.post('/posts').type('form').send({ title: 'forged', body: 'x' });
    expect(forged.status).toBe(403);
    for (let i = 0; i < 6; i++)
      await request(testApp.app).post('/auth/login').send({ username: 'ivy', password: 'nope-nope-nope' });
    const events = lines().map((l) => l.event);
    expect(events).toEqual(expect.arrayContaining(['password_check_failed', 'csrf_refused', 'login_throttled']));
    expect(lines().find((l) => l.event === 'csrf_refused')).toMatchObject({ userId: expect.any(String) });
  });

  it('tag each request line with the id sent back in X-Request-Id', async () => {
    const own = await request(testApp.app).get('/posts').set('X-Request-Id', 'proxy-chosen-id-1');
    expect(own.headers['x-request-id']).toBe('proxy-chosen-id-1');
    const made = await request(testApp.app).get('/posts').set('X-Request-Id', 'no spaces or <script> allowed');
    const madeId = made.headers['x-request-id'];
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);

    const ids = lines().map((l) => (l.req as { id?: string } | undefined)?.id);
    expect(ids).toContain('proxy-chosen-id-1');
    expect(ids).toContain(madeId);
  });

  it("write one line per request with its outcome, and the handlers' own lines carry the same request", async () => {
    // Its own account: the tests above used up ivy's sign-in attempts.
    expect(
      (await request(testApp.app).post('/auth/register').send({ username: 'jun', password: PASSWORD })).status,
    ).toBe(201);
    const agent = request.agent(testApp.app);
    expect(
      (
        await agent
          .post('/auth/login')
          .set('X-Request-Id', 'line-login-1')
          .send({ username: 'jun', password: PASSWORD })
      ).status,
    ).toBe(200);
    // Under a mounted router (req.url is rewritten there): the URL as received, with its query.
    expect((await agent.get('/posts?page=2').set('X-Request-Id', 'line-list-1')).status).toBe(200);
    expect((await request(testApp.app).get('/no-such-page').set('X-Request-Id', 'line-missing-1')).status).toBe(404);
    expect((await request(testApp.app).get('/healthz').set('X-Request-Id', 'line-health-1')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));

    const byId = (id: string) => lines().filter((l) => (l.req as { id?: string } | undefined)?.id === id);
    const list = byId('line-list-1');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'line-list-1', method: 'GET', url: '/posts?page=2', ip: expect.stringMatching(/127\.0\.0\.1/) },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      clientIp: expect.stringMatching(/127\.0\.0\.1/),
      userId: expect.any(String),
    });
    expect(byId('line-missing-1')).toEqual([
      expect.objectContaining({ level: 40, msg: 'request completed', res: { statusCode: 404 } }),
    ]);
    // Probes are not logged.
    expect(byId('line-health-1')).toEqual([]);
    // The login's own event line (req.log) and its request line share the request.
    const login = byId('line-login-1');
    expect(login.map((l) => l.msg)).toContain('request completed');
    expect(login.find((l) => l.event === 'login')).toMatchObject({
      req: { id: 'line-login-1', method: 'POST', url: '/auth/login' },
      clientIp: expect.stringMatching(/127\.0\.0\.1/),
    });
  });
});
