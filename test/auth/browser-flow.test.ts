import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import { csrfTokenFrom, PASSWORD, sessionCookieValue, sessionIdOf, signedCookieFor } from '../support/http';
import { liveSessions } from '../support/sessions';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

let t: TestApp;
const sessions = () => t.connection.collection(SESSIONS_COLLECTION);

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'bob');
});
afterAll(() => t.close());

describe('register and log out in a browser', () => {
  it('GET form → POST → 303 to /posts signed in as alice; logout → "Log in"', async () => {
    const agent = request.agent(t.app);
    const form = await agent.get('/auth/register');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form method="post" action="/auth/register"');
    expect(form.text).toMatch(/<label for="field-username">/);

    const res = await agent.post('/auth/register').type('form').send({ username: 'Alice', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/posts');

    const posts = await agent.get('/posts');
    expect(posts.text).toContain('Signed in as <strong>alice</strong>');
    expect(posts.text).toContain('Welcome to Folio, alice!');

    const logout = await agent
      .post('/auth/logout')
      .type('form')
      .send({ _csrf: csrfTokenFrom(posts.text) });
    expect(logout.status).toBe(303);
    const after = await agent.get(logout.headers.location as string);
    expect(after.text).toContain('Sign in');
    expect(after.text).not.toContain('Signed in as');
    expect(after.text).toContain('You have been signed out.');
  });

  it('GET /auth/logout shows a confirm page and changes nothing', async () => {
    const agent = request.agent(t.app);
    await agent.post('/auth/login').send({ username: 'bob', password: PASSWORD });
    const page = await agent.get('/auth/logout');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post" action="/auth/logout"');
    expect((await agent.get('/auth/profile')).status).toBe(200);
  });

  it('a duplicate username in any case → 422 with a message next to the field, input kept', async () => {
    const res = await request(t.app).post('/auth/register').type('form').send({ username: 'BOB', password: PASSWORD });
    expect(res.status).toBe(422);
    expect(res.text).toContain('That username is taken');
    expect(res.text).toMatch(/id="field-username"[^>]*value="BOB"/);
    expect(res.text).toContain('aria-describedby="field-username-hint field-username-error"');
    expect(res.text).not.toContain(PASSWORD);

    const json = await request(t.app).post('/auth/register').send({ username: 'Bob', password: PASSWORD });
    expect(json.status).toBe(422);
    expect(json.body.fields).toEqual({ username: 'That username is taken' });
  });

  it('invalid registration input → 422 with each problem by its field, never echoing the password', async () => {
    const res = await request(t.app).post('/auth/register').type('form').send({ username: 'a!', password: 'short' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Use 3–30 letters, digits, “_” or “-”');
    expect(res.text).toContain('Use at least 8 characters');
    expect(res.text).not.toContain('value="short"');
  });

  it('a password over 256 characters → 422 with the limit named', async () => {
    const res = await request(t.app)
      .post('/auth/register')
      .send({ username: 'longpw', password: 'é'.repeat(257) });
    expect(res.status).toBe(422);
    expect(res.body.fields.password).toMatch(/at most 256 characters/);
  });
});

describe('session fixation', () => {
  it('an id planted before login is destroyed; the user gets a new one', async () => {
    // An attacker's valid anonymous session (with something stored in it), planted in the victim's browser.
    const plantedId = 'planted-session-id-0123456789abcdef';
    await sessions().insertOne({
      _id: plantedId as never,
      expires: new Date(Date.now() + 3_600_000),
      session: { cookie: { path: '/', httpOnly: true, sameSite: 'lax' }, flash: [{ kind: 'info', text: 'hello' }] },
    });
    const planted = signedCookieFor(plantedId);
    const anon = await request(t.app).get('/posts').set('Cookie', `folio.sid=${planted}`);
    expect(anon.text).toContain('hello'); // the planted session is live before login

    // The victim opens the login form in the planted session (which gets a CSRF token) and signs in.
    const form = await request(t.app).get('/auth/login').set('Cookie', `folio.sid=${planted}`);
    const login = await request(t.app)
      .post('/auth/login')
      .set('Cookie', `folio.sid=${planted}`)
      .type('form')
      .send({ username: 'bob', password: PASSWORD, _csrf: csrfTokenFrom(form.text) });
    expect(login.status).toBe(303);
    const fresh = sessionCookieValue(login);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(planted);
    expect(sessionIdOf(fresh as string)).not.toBe(plantedId);
    expect(await liveSessions(t.connection, { _id: plantedId })).toBe(0);

    const replay = await request(t.app).get('/auth/profile').set('Cookie', `folio.sid=${planted}`);
    expect(replay.status).toBe(401);
  });
});

describe('isAuthenticated and ?next', () => {
  it('anonymous GET /posts/new → login with next; after login the user lands on /posts/new', async () => {
    const agent = request.agent(t.app);
    const res = await agent.get('/posts/new');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/auth/login?next=%2Fposts%2Fnew');

    const form = await agent.get(res.headers.location as string);
    expect(form.text).toContain('<input type="hidden" name="next" value="/posts/new">');

    const login = await agent
      .post('/auth/login')
      .type('form')
      .send({ username: 'bob', password: PASSWORD, next: '/posts/new' });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/posts/new');
    expect((await agent.get('/posts/new')).status).toBe(200);
  });

  it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)'])(
    'next=%s is ignored',
    async (next) => {
      const login = await request(t.app)
        .post('/auth/login')
        .type('form')
        .send({ username: 'bob', password: PASSWORD, next });
      expect(login.status).toBe(303);
      expect(login.headers.location).toBe('/posts');
    },
  );

  it('JSON clients get 401 instead of a redirect', async () => {
    const res = await request(t.app).get('/posts/new').set('Accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Not authenticated' });
  });
});
