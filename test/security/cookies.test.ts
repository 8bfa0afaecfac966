import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, setCookies } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

const PRODUCTION = {
  NODE_ENV: 'production',
  MONGODB_URI: 'mongodb://127.0.0.1/unused-by-tests',
  COOKIE_SECURE: 'true',
};

let plain: TestApp;
beforeAll(async () => {
  plain = await startTestApp();
  await createUser(plain.app, 'gina');
});
afterAll(() => plain.close());

describe('session cookie attributes', () => {
  it('development: folio.sid; HttpOnly; SameSite=Lax; Path=/; no Domain, no Secure', async () => {
    const res = await request(plain.app).post('/auth/login').send({ username: 'gina', password: PASSWORD });
    const cookies = setCookies(res);
    expect(cookies.find((c) => c.startsWith('folio.sid='))).toMatch(
      /^folio\.sid=s%3A[^;]+; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    // The device cookie (new-device alerts): long-lived, HttpOnly, and a random id, nothing of the account.
    const device = cookies.find((c) => c.startsWith('folio.device='));
    expect(device).toMatch(
      /^folio\.device=s:[A-Za-z0-9_-]{22}\.[^;]+; Max-Age=\d+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/,
    );
    expect(cookies).toHaveLength(2);
  });

  it('production behind a trusted proxy over https: __Host-folio.sid; Path=/; HttpOnly; Secure; SameSite=Lax', async () => {
    const prod = await startTestApp({ connection: plain.connection, env: { ...PRODUCTION, TRUST_PROXY: '1' } });
    const res = await request(prod.app)
      .post('/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: 'gina', password: PASSWORD });
    expect(res.status).toBe(200);
    const cookies = setCookies(res);
    expect(cookies).toHaveLength(2);
    const session = cookies.find((c) => c.startsWith('__Host-folio.sid='));
    expect(session).toMatch(/^__Host-folio\.sid=s%3A[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const device = cookies.find((c) => c.startsWith('__Host-folio.device='));
    expect(device).toMatch(/; Path=\/;.*HttpOnly; Secure; SameSite=Lax$/);
    for (const cookie of cookies) expect(cookie).not.toMatch(/Domain/i);
    expect(res.headers['strict-transport-security']).toContain('max-age=31536000');
  });

  it('production without TRUST_PROXY over plain http: no cookie is sent at all', async () => {
    const prod = await startTestApp({ connection: plain.connection, env: PRODUCTION });
    const spoofed = await request(prod.app)
      .post('/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: 'gina', password: PASSWORD });
    expect(setCookies(spoofed)).toEqual([]);
  });

  it('anonymous pages are cacheable and vary on Cookie; session responses are no-store', async () => {
    const anon = await request(plain.app).get('/posts');
    expect(anon.headers['cache-control']).toBe('no-cache');
    expect(anon.headers.vary).toMatch(/Cookie/);

    const agent = request.agent(plain.app);
    const login = await agent.post('/auth/login').send({ username: 'gina', password: PASSWORD });
    expect(login.headers['cache-control']).toBe('no-store');
    const page = await agent.get('/posts');
    expect(page.headers['cache-control']).toBe('no-store');
    const logout = await agent.post('/auth/logout').set('Accept', 'application/json');
    expect(logout.headers['cache-control']).toBe('no-store');
  });
});
