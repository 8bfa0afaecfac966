import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEPT_FORM_MAX_CHARS } from '../../src/http/kept-form';
import type { Agent } from '../support/app';
import { csrfTokenFrom, PASSWORD } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { loginJson, registerJson } from '../support/users';

/** Nothing typed is lost (issue 12): the server side of it, with supertest against a real mongod. */

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function writerAt(path: string, name: string): Promise<{ agent: Agent; token: string }> {
  const agent = request.agent(t.app);
  await registerJson(agent, name);
  const page = await agent.get(path);
  return { agent, token: csrfTokenFrom(page.text) };
}

async function revokeOthers(name: string): Promise<void> {
  const other = request.agent(t.app);
  await loginJson(other, name);
  expect((await other.post('/account/sessions/revoke-others').send({})).status).toBe(200);
}

async function logInForm(agent: Agent, name: string, next: string): Promise<request.Response> {
  const page = await agent.get(`/auth/login?next=${encodeURIComponent(next)}`);
  return agent
    .post('/auth/login')
    .type('form')
    .send({ username: name, password: PASSWORD, next, _csrf: csrfTokenFrom(page.text) });
}

describe('a writing form from an ended session', () => {
  it('revoked: kept, login says why, the form comes back filled in once', async () => {
    const { agent, token } = await writerAt('/posts/new', 'kept1');
    await revokeOthers('kept1');
    const post = await agent
      .post('/posts')
      .type('form')
      .send({ title: 'Kept title', body: 'Kept body', status: 'published', _csrf: token });
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/auth/login?next=%2Fposts%2Fnew');
    const login = await agent.get('/auth/login?next=%2Fposts%2Fnew');
    expect(login.text).toContain('You were signed out on another device');
    expect(login.text).toContain('What you wrote is kept');
    const signedIn = await logInForm(agent, 'kept1', '/posts/new');
    expect(signedIn.headers.location).toBe('/posts/new');
    const form = await agent.get('/posts/new');
    expect(form.text).toContain('value="Kept title"');
    expect(form.text).toContain('>Kept body</textarea>');
    expect(form.text).toContain('Here is what you wrote');
    const again = await agent.get('/posts/new');
    expect(again.text).not.toContain('Kept title');
  });

  it('kept for KEPT_FORM_MAX_AGE_MS (24 h) on the app clock: a day later it is gone, a moment before it comes back', async () => {
    for (const [name, hoursLater, restored] of [
      ['keptlate', 24.5, false],
      ['keptsoon', 23.5, true],
    ] as const) {
      const { agent, token } = await writerAt('/posts/new', name);
      await revokeOthers(name);
      const post = await agent
        .post('/posts')
        .type('form')
        .send({ title: `Title of ${name}`, body: 'Body', status: 'published', _csrf: token });
      expect(post.headers.location).toBe('/auth/login?next=%2Fposts%2Fnew');
      t.clock.advance(hoursLater * 3_600_000);
      expect((await logInForm(agent, name, '/posts/new')).headers.location).toBe('/posts/new');
      const form = await agent.get('/posts/new');
      expect(form.text.includes(`value="Title of ${name}"`), name).toBe(restored);
      expect(form.text.includes('Here is what you wrote'), name).toBe(restored);
    }
  });

  it("an edit: kept over the post's own values", async () => {
    const agent = request.agent(t.app);
    await registerJson(agent, 'kept2');
    const created = await agent.post('/posts').send({ title: 'Original', body: 'Original body' });
    const id: string = created.body.post.id;
    const token = csrfTokenFrom((await agent.get(`/posts/${id}/edit`)).text);
    await revokeOthers('kept2');
    const res = await agent
      .post(`/posts/${id}`)
      .type('form')
      .send({ title: 'Better', body: 'Better body', status: 'published', _csrf: token });
    expect(res.headers.location).toBe(`/auth/login?next=${encodeURIComponent(`/posts/${id}/edit`)}`);
    const signedIn = await logInForm(agent, 'kept2', `/posts/${id}/edit`);
    expect(signedIn.status, signedIn.text).toBe(303);
    const form = await agent.get(`/posts/${id}/edit`);
    expect(form.text).toContain('value="Better"');
    expect(form.text).toContain('>Better body</textarea>');
  });

  it('never keeps a password, and nothing over the size bound', async () => {
    const { agent, token } = await writerAt('/posts/new', 'kept3');
    await revokeOthers('kept3');
    const sessions = t.connection.collection('sessions');
    const before = await sessions.countDocuments({ 'session.keptForm': { $exists: true } });
    await agent
      .post('/posts')
      .type('form')
      .send({ title: 'x', body: 'y'.repeat(KEPT_FORM_MAX_CHARS + 1), _csrf: token });
    expect(await sessions.countDocuments({ 'session.keptForm': { $exists: true } })).toBe(before);
    // The password field of any form is never kept: a comment with one is kept without it.
    const other = await writerAt('/posts/new', 'kept5');
    await revokeOthers('kept5');
    await other.agent
      .post('/posts')
      .type('form')
      .send({ title: 'with a secret', body: 'b', password: 'hunter22', _csrf: other.token });
    const kept = await sessions.findOne({ 'session.keptForm.fields.title': 'with a secret' });
    expect(kept?.session.keptForm.fields).toEqual({ title: 'with a secret', body: 'b' });
  });

  it('a JSON client keeps its 401 and nothing is kept', async () => {
    const agent = request.agent(t.app);
    await registerJson(agent, 'kept4');
    await revokeOthers('kept4');
    const res = await agent.post('/posts').send({ title: 'json', body: 'json' });
    expect(res.status).toBe(401);
  });
});

describe('a form with a stale or tampered CSRF token', () => {
  it('a browser gets a 403 page that explains and offers to send it again (with a fresh token)', async () => {
    const { agent } = await writerAt('/posts/new', 'stale1');
    const res = await agent
      .post('/posts')
      .type('form')
      .send({ title: 'Stale', body: 'Stale body', status: 'published', _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Please send that again');
    expect(res.text).toContain('name="title" value="Stale"');
    const token = csrfTokenFrom(res.text);
    const again = await agent
      .post('/posts')
      .type('form')
      .send({ title: 'Stale', body: 'Stale body', status: 'published', _csrf: token });
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/^\/posts\/[a-f0-9]{24}$/);
  });

  it('never echoes a password: the password form only links back', async () => {
    const { agent } = await writerAt('/account/password', 'stale2');
    const res = await agent
      .post('/account/password')
      .type('form')
      .send({ currentPassword: PASSWORD, newPassword: 'a-new-long-one', confirmPassword: 'a-new-long-one' });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain(PASSWORD);
    expect(res.text).not.toContain('a-new-long-one');
    expect(res.text).not.toContain('Send it again');
    expect(res.text).toContain('Go back to the form');
  });

  it('a client asking for JSON keeps a bare 403', async () => {
    const { agent } = await writerAt('/posts/new', 'stale3');
    const res = await agent.post('/posts').set('Accept', 'application/json').type('form').send({ title: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/CSRF/);
  });
});

describe('every stop has a way on', () => {
  it('the login page says why it is shown', async () => {
    const anon = request(t.app);
    expect((await anon.get('/auth/login?next=%2Fposts%2Fnew')).text).toContain('Sign in to write a post.');
    expect((await anon.get('/auth/login?next=%2Faccount%2Fsessions')).text).toContain('Sign in to see your account.');
    expect((await anon.get('/auth/login')).text).not.toContain('class="notice"');
    const redirect = await anon.get('/posts/new');
    expect(redirect.headers.location).toBe('/auth/login?next=%2Fposts%2Fnew');
  });

  it('a signed-in visitor is sent on from login and register (to next when given)', async () => {
    const agent = request.agent(t.app);
    await registerJson(agent, 'onward');
    const login = await agent.get('/auth/login');
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/posts');
    expect((await agent.get('/posts')).text).toContain('You are already signed in as onward.');
    expect((await agent.get('/auth/register')).headers.location).toBe('/posts');
    expect((await agent.get('/auth/login?next=%2Freading-list')).headers.location).toBe('/reading-list');
    expect((await agent.get('/auth/login?next=%2F%2Fevil.example')).headers.location).toBe('/posts');
    // JSON and the tutorial's flows are untouched.
    expect((await agent.post('/auth/login').send({ username: 'onward', password: PASSWORD })).status).toBe(200);
  });
});
