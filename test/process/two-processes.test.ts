import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PASSWORD } from '../support/http';
import { call } from '../support/process-http';
import { uniqueDbName, withDatabase } from '../support/process-mongod';
import { productionEnv, type RunningServer, spawnServer } from '../support/spawn-server';

/**
 * Two Folio processes on one database, as behind a load balancer: a session made by one is the same session
 * on the other (sessions live in MongoDB, both sign cookies with the same secret), and so are the login
 * throttle's counters.
 */

const env = productionEnv({ MONGODB_URI: withDatabase(inject('mongoUri'), uniqueDbName('folio_two')) });

let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
  // One after the other: the first creates the collections, so the two never race to create the same one
  // (which crashes the Wine build of mongod used on machines without internet; see README).
  a = await spawnServer(env);
  b = await spawnServer(env);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('two app processes on one database', () => {
  it('share sessions: signed in through A is signed in on B; logged out through B is anonymous on A', async () => {
    expect(a.child.pid).not.toBe(b.child.pid);
    expect((await call(a.url, '/auth/register', { json: { username: 'dave', password: PASSWORD } })).status).toBe(201);

    const login = await call(a.url, '/auth/login', { json: { username: 'dave', password: PASSWORD } });
    expect(login.status).toBe(200);
    const cookie = login.cookie;
    expect(cookie).toMatch(/^__Host-folio\.sid=s%3A/);

    const onB = await call(b.url, '/auth/profile', { cookie });
    expect(onB.status).toBe(200);
    expect(onB.json).toEqual({ user: { username: 'dave', role: expect.any(String) } });

    // A JSON request (Content-Type: application/json) needs no CSRF token under the contract.
    const logout = await call(b.url, '/auth/logout', { json: {}, cookie });
    expect(logout.status).toBe(200);
    expect(logout.json).toEqual({ message: 'Logged out' });

    const onA = await call(a.url, '/auth/profile', { cookie });
    expect(onA.status).toBe(401);
    expect(onA.json).toEqual({ error: 'Not authenticated' });
  });

  it('share login throttling: failures counted on A make B refuse that account from that IP', async () => {
    expect((await call(a.url, '/auth/register', { json: { username: 'frank', password: PASSWORD } })).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const wrong = await call(a.url, '/auth/login', { json: { username: 'frank', password: 'wrong-password' } });
      expect(wrong.status).toBe(401);
    }
    // B has seen no failure itself; even the right password waits.
    const onB = await call(b.url, '/auth/login', { json: { username: 'frank', password: PASSWORD } });
    expect(onB.status).toBe(429);
    expect(Number(onB.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(onB.cookie).toBeUndefined();
  });
});
