import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import { sessionCookieValue, sessionIdOf, setCookies } from '../support/http';
import { endReasonOf, liveSessions } from '../support/sessions';
import { startTestApp, type TestApp } from '../support/test-app';
import { seedUser } from '../support/users';

let t: TestApp;
const sessions = () => t.connection.collection(SESSIONS_COLLECTION);

beforeAll(async () => {
  t = await startTestApp();
  await seedUser(t.connection, 'alice', 'password123');
  await sessions().deleteMany({});
});
afterAll(() => t.close());

describe("the tutorial's JSON sequence", () => {
  it('login → profile → logout → profile, with exact bodies and status codes', async () => {
    const agent = request.agent(t.app);

    const login = await agent.post('/auth/login').send({ username: 'alice', password: 'password123' });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ message: 'Logged in' });

    const profile = await agent.get('/auth/profile');
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({ user: { username: 'alice', role: 'author' } });

    const logout = await agent.post('/auth/logout').set('Accept', 'application/json');
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ message: 'Logged out' });

    const after = await agent.get('/auth/profile');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'Not authenticated' });
  });

  it('wrong credentials → 401 {"error":"Invalid credentials"}', async () => {
    const res = await request(t.app).post('/auth/login').send({ username: 'alice', password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Invalid credentials' });
  });

  it('unknown user and wrong password give the same status and body', async () => {
    // Fresh counters for both, so the warning before the last attempt (per account and address) is alike.
    await t.connection.collection('throttles').deleteMany({});
    const unknown = await request(t.app).post('/auth/login').send({ username: 'nobody', password: 'password123' });
    const wrong = await request(t.app).post('/auth/login').send({ username: 'alice', password: 'password124' });
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body).toEqual(wrong.body);
    expect(setCookieOf(unknown)).toEqual(setCookieOf(wrong));

    const unknownForm = await request(t.app)
      .post('/auth/login')
      .type('form')
      .send({ username: 'nobody', password: 'x1234567' });
    const wrongForm = await request(t.app)
      .post('/auth/login')
      .type('form')
      .send({ username: 'alice', password: 'x1234567' });
    expect(unknownForm.status).toBe(401);
    expect(wrongForm.status).toBe(401);
    expect(unknownForm.text.replace('nobody', 'alice')).toBe(wrongForm.text);
  });
});

function setCookieOf(res: request.Response): unknown {
  return res.headers['set-cookie'];
}

describe('session documents', () => {
  it('anonymous GET /posts sets no cookie and stores nothing', async () => {
    const res = await request(t.app).get('/posts');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await liveSessions(t.connection)).toBe(0);
  });

  it('login stores exactly one session; logout ends it for good and the old cookie is anonymous', async () => {
    await sessions().deleteMany({});
    const agent = request.agent(t.app);
    const login = await agent.post('/auth/login').send({ username: 'alice', password: 'password123' });
    const cookie = sessionCookieValue(login);
    expect(cookie).toBeDefined();
    const sid = sessionIdOf(cookie as string);

    expect(await sessions().countDocuments()).toBe(1);
    expect(await sessions().countDocuments({ _id: sid as never })).toBe(1);

    const logout = await agent.post('/auth/logout').set('Accept', 'application/json');
    // The cookie is expired; Clear-Site-Data would wipe every site of the registrable domain.
    expect(logout.headers['clear-site-data']).toBeUndefined();
    expect(setCookies(logout).join()).toMatch(/folio\.sid=;.*Expires=Thu, 01 Jan 1970/);
    expect(await liveSessions(t.connection)).toBe(0);
    expect(await endReasonOf(t.connection, sid)).toBe('signed_out');

    const replay = await request(t.app).get('/auth/profile').set('Cookie', `folio.sid=${cookie}`);
    expect(replay.status).toBe(401);
    const page = await request(t.app).get('/posts').set('Cookie', `folio.sid=${cookie}`);
    expect(page.text).toContain('Sign in');
    expect(page.text).not.toContain('Signed in as');
  });
});
