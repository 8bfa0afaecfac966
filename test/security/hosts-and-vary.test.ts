import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_COLLECTION } from '../../src/session/session-store';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'hostess');
});
afterAll(() => t.close());

describe('Host allow-list (DNS rebinding)', () => {
  it('a development server answers loopback names on any port', async () => {
    for (const host of ['localhost:3000', '127.0.0.1:8080', '[::1]:3000', 'LOCALHOST']) {
      expect((await request(t.app).get('/posts').set('Host', host)).status, host).toBe(200);
    }
  });

  it('any other Host gets a bare 400 and nothing else happens', async () => {
    const sessions = t.connection.collection(SESSIONS_COLLECTION);
    const before = await sessions.countDocuments();
    for (const host of ['evil.example', 'evil.example:3000', 'localhost.evil.example', '127.0.0.1.nip.io']) {
      const login = await request(t.app)
        .post('/auth/login')
        .set('Host', host)
        .send({ username: 'hostess', password: 'quiet-river-stone-42' });
      expect(login.status, host).toBe(400);
      expect(login.headers['set-cookie']).toBeUndefined();
      expect(login.text).toBe('Unknown host');
    }
    expect(await sessions.countDocuments()).toBe(before);
  });

  it('production with PUBLIC_URL answers only its host', async () => {
    const prod = await startTestApp({
      connection: t.connection,
      env: { NODE_ENV: 'production', MONGODB_URI: 'mongodb://unused/x', PUBLIC_URL: 'https://blog.example.com' },
    });
    expect((await request(prod.app).get('/healthz').set('Host', 'blog.example.com')).status).toBe(200);
    expect((await request(prod.app).get('/healthz').set('Host', 'localhost')).status).toBe(400);
  });
});

describe('Vary: Accept where HTML and JSON share a URL', () => {
  it('pages that answer both say so', async () => {
    for (const path of ['/posts', '/auth/login', '/no/such/page']) {
      const res = await request(t.app).get(path);
      expect(res.headers.vary, path).toMatch(/\bAccept\b/);
    }
  });
});
