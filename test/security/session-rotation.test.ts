import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import { csrfTokenFrom, PASSWORD, sessionCookieValue, sessionIdOf, signedCookieFor } from '../support/http';
import { liveSessions } from '../support/sessions';
import { startTestApp, TEST_SECRET, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

let t: TestApp;
const sessions = () => t.connection.collection(SESSIONS_COLLECTION);

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'erin');
});
afterAll(() => t.close());

/** An anonymous visitor with a stored session (here: one a flash message created). */
async function anonymousSession(id: string): Promise<string> {
  await sessions().insertOne({
    _id: id as never,
    expires: new Date(Date.now() + 3_600_000),
    session: { cookie: { path: '/', httpOnly: true, sameSite: 'lax' }, flash: [{ kind: 'info', text: 'hi' }] },
  });
  return signedCookieFor(id);
}

describe('login rotates everything', () => {
  it('new session id, the pre-login id dead in the store, a new CSRF token', async () => {
    const cookie = await anonymousSession('pre-login-session-id-000000000001');
    const form = await request(t.app).get('/auth/login').set('Cookie', `folio.sid=${cookie}`);
    const before = csrfTokenFrom(form.text);

    const login = await request(t.app)
      .post('/auth/login')
      .set('Cookie', `folio.sid=${cookie}`)
      .type('form')
      .send({ username: 'erin', password: PASSWORD, _csrf: before });
    expect(login.status).toBe(303);
    const fresh = sessionCookieValue(login) as string;
    expect(sessionIdOf(fresh)).not.toBe('pre-login-session-id-000000000001');
    expect(await liveSessions(t.connection, { _id: 'pre-login-session-id-000000000001' })).toBe(0);

    const after = csrfTokenFrom((await request(t.app).get('/posts/new').set('Cookie', `folio.sid=${fresh}`)).text);
    expect(after).not.toBe(before);
    // The old token is no good in the new session.
    const stale = await request(t.app)
      .post('/posts')
      .set('Cookie', `folio.sid=${fresh}`)
      .type('form')
      .send({ title: 'x', body: 'y', _csrf: before });
    expect(stale.status).toBe(403);
  });

  it('registration also starts a new session', async () => {
    const cookie = await anonymousSession('pre-register-session-id-000000001');
    const form = await request(t.app).get('/auth/register').set('Cookie', `folio.sid=${cookie}`);
    const res = await request(t.app)
      .post('/auth/register')
      .set('Cookie', `folio.sid=${cookie}`)
      .type('form')
      .send({ username: 'frank', password: PASSWORD, _csrf: csrfTokenFrom(form.text) });
    expect(res.status).toBe(303);
    expect(sessionIdOf(sessionCookieValue(res) as string)).not.toBe('pre-register-session-id-000000001');
    expect(await liveSessions(t.connection, { _id: 'pre-register-session-id-000000001' })).toBe(0);
  });
});

describe('SESSION_SECRET rotation', () => {
  it('a cookie signed with the old secret still verifies when the new secret is listed first', async () => {
    const agent = request.agent(t.app);
    await agent.post('/auth/login').send({ username: 'erin', password: PASSWORD });
    const login = await request(t.app).post('/auth/login').send({ username: 'erin', password: PASSWORD });
    const oldCookie = sessionCookieValue(login) as string;

    const rotated = await startTestApp({
      connection: t.connection,
      env: { SESSION_SECRET: `a-brand-new-secret-of-enough-length-0001,${TEST_SECRET}` },
    });
    const profile = await request(rotated.app).get('/auth/profile').set('Cookie', `folio.sid=${oldCookie}`);
    expect(profile.status).toBe(200);

    const dropped = await startTestApp({
      connection: t.connection,
      env: { SESSION_SECRET: 'only-the-new-secret-of-enough-length-01' },
    });
    const refused = await request(dropped.app).get('/auth/profile').set('Cookie', `folio.sid=${oldCookie}`);
    expect(refused.status).toBe(401);
  });
});
