import type { Connection } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import { PASSWORD } from '../support/http';
import { liveSessions } from '../support/sessions';
import { connectTestDb, releaseTestDb, testConfig } from '../support/test-app';
import { createUser } from '../support/users';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let connection: Connection;
let clock = Date.now();
const now = () => clock;

// Contract defaults: 30 min idle, 12 h absolute, 30 days with "Remember me".
const config = testConfig();
const app = () => createApp({ config, connection, logger: createLogger(config), now });

beforeAll(async () => {
  connection = await connectTestDb();
  await createUser(app(), 'hana');
});
afterAll(async () => {
  await releaseTestDb(connection);
});

async function signIn(remember = false) {
  const a = app();
  const agent = request.agent(a);
  await agent.post('/auth/login').send({ username: 'hana', password: PASSWORD, remember });
  return agent;
}

const signedIn = async (agent: Awaited<ReturnType<typeof signIn>>) => (await agent.get('/auth/profile')).status === 200;

describe('session timeouts, enforced on the server', () => {
  it('idle past the limit → anonymous, and a browser is told why', async () => {
    clock = Date.now();
    const agent = await signIn();
    clock += 29 * MINUTE;
    expect(await signedIn(agent)).toBe(true);
    clock += 31 * MINUTE; // 31 minutes since the last request
    const page = await agent.get('/posts');
    expect(page.text).not.toContain('Signed in as');
    expect(page.text).toContain('Your session expired. Please sign in again.');
    expect(await signedIn(agent)).toBe(false);
  });

  it('active every few minutes → still anonymous after the absolute limit', async () => {
    clock = Date.now();
    const agent = await signIn();
    for (let elapsed = 0; elapsed < 12 * HOUR - 10 * MINUTE; elapsed += 10 * MINUTE) {
      clock += 10 * MINUTE;
      expect(await signedIn(agent)).toBe(true);
    }
    clock += 20 * MINUTE; // 12 h 10 min after sign-in, last request 20 min ago
    expect(await signedIn(agent)).toBe(false);
  });

  it('the expired session is ended in the store, not just ignored', async () => {
    clock = Date.now();
    const agent = await signIn();
    const before = await liveSessions(connection, { 'session.user.username': 'hana' });
    clock += 2 * HOUR;
    await agent.get('/auth/profile').set('Accept', 'application/json');
    const after = await liveSessions(connection, { 'session.user.username': 'hana' });
    expect(after).toBe(before - 1);
  });

  it('"Remember me": idle and absolute limits become REMEMBER_ME_DAYS', async () => {
    clock = Date.now();
    const agent = await signIn(true);
    clock += 2 * 24 * HOUR; // two days idle: fine with Remember me
    expect(await signedIn(agent)).toBe(true);
    for (let day = 2; day < 29; day += 3) {
      clock += 3 * 24 * HOUR;
      expect(await signedIn(agent)).toBe(true);
    }
    clock += 2 * 24 * HOUR; // 31 days after sign-in
    expect(await signedIn(agent)).toBe(false);
  });

  it('reading pages within the touch interval writes nothing to the session', async () => {
    await connection.collection('sessions').deleteMany({});
    clock = Date.now();
    const agent = await signIn();
    const before = await connection.collection('sessions').findOne({ 'session.user.username': 'hana' });
    clock += 30_000;
    for (let i = 0; i < 5; i++) await agent.get('/posts');
    const same = await connection.collection('sessions').findOne({ _id: before?._id });
    expect(same?.session.auth.lastSeenAt).toBe(before?.session.auth.lastSeenAt);
    expect(same?.lastModified).toEqual(before?.lastModified);
    clock += 2 * MINUTE;
    await agent.get('/posts');
    const later = await connection.collection('sessions').findOne({ _id: before?._id });
    expect(later?.session.auth.lastSeenAt).toBe(clock);
  });
});
