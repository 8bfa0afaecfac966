import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import { csrfTokenFrom, PASSWORD, setCookies } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser, loginJson } from '../support/users';

let t: TestApp;
const EVIL = 'https://evil.example';

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'dora');
});
afterAll(() => t.close());

async function signedInAgent() {
  const agent = request.agent(t.app);
  await loginJson(agent, 'dora');
  const token = csrfTokenFrom((await agent.get('/posts/new')).text);
  return { agent, token };
}

interface FormRoute {
  readonly name: string;
  readonly path: string;
  readonly body: Record<string, string>;
  readonly changed: () => Promise<boolean>;
}

/** Every state-changing form route, with a body that would change something and how to see the change. */
const FORM_ROUTES: FormRoute[] = [
  {
    name: 'POST /posts',
    path: '/posts',
    body: { title: 'forged', body: 'forged body' },
    changed: async () => (await postModel(t.connection).countDocuments({ title: 'forged' })) > 0,
  },
  {
    name: 'POST /auth/logout',
    path: '/auth/logout',
    body: {},
    changed: async () => (await t.connection.collection(SESSIONS_COLLECTION).countDocuments()) === 0,
  },
];

describe('CSRF: forms from a signed-in session', () => {
  for (const route of FORM_ROUTES) {
    it(`${route.name} without a token → 403 and nothing changes; with it → works`, async () => {
      await t.connection.collection(SESSIONS_COLLECTION).deleteMany({});
      const { agent, token } = await signedInAgent();

      const missing = await agent.post(route.path).type('form').send(route.body);
      expect(missing.status).toBe(403);
      const wrong = await agent
        .post(route.path)
        .type('form')
        .send({ ...route.body, _csrf: `${token.slice(0, -2)}00` });
      expect(wrong.status).toBe(403);
      const nested = await agent
        .post(route.path)
        .type('form')
        .send(`_csrf[x]=y&${new URLSearchParams(route.body)}`);
      expect(nested.status).toBe(403);
      expect(await route.changed()).toBe(false);

      const ok = await agent
        .post(route.path)
        .type('form')
        .send({ ...route.body, _csrf: token });
      expect(ok.status).toBe(303);
      expect(await route.changed()).toBe(true);
    });
  }

  it('the token is in every state-changing form of a signed-in page, and never on anonymous pages', async () => {
    const { agent, token } = await signedInAgent();
    const page = await agent.get('/posts/new');
    const forms = page.text.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).toBeGreaterThanOrEqual(2); // the post form and the header's log-out form
    for (const form of forms) expect(form).toContain(`name="_csrf" value="${token}"`);

    const anon = await request(t.app).get('/auth/login');
    expect(anon.text).not.toContain('_csrf');
  });
});

describe('CSRF: visitors without a session', () => {
  it('anonymous GET of /posts and a post page sets no cookie', async () => {
    const { agent, token } = await signedInAgent();
    const created = await agent.post('/posts').type('form').send({ title: 'public', body: 'x', _csrf: token });
    for (const path of ['/posts', created.headers.location as string, '/auth/login', '/auth/register']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(200);
      expect(setCookies(res)).toEqual([]);
    }
  });

  it.each([
    ['login', '/auth/login', { username: 'dora', password: PASSWORD }],
    ['register', '/auth/register', { username: 'mallory', password: PASSWORD }],
  ])('a cross-site %s form post → 403 and no cookie', async (_name, path, body) => {
    for (const headers of [{ Origin: EVIL }, { 'Sec-Fetch-Site': 'cross-site' }, { Origin: 'null' }]) {
      const res = await request(t.app).post(path).set(headers).type('form').send(body);
      expect(res.status).toBe(403);
      expect(setCookies(res)).toEqual([]);
    }
    expect(await t.connection.collection('users').countDocuments({ username: 'mallory' })).toBe(0);
  });

  it('a same-origin sessionless form post is accepted', async () => {
    const res = await request(t.app)
      .post('/auth/login')
      .set({ Origin: 'http://folio.test', Host: 'folio.test', 'Sec-Fetch-Site': 'same-origin' })
      .type('form')
      .send({ username: 'dora', password: PASSWORD });
    expect(res.status).toBe(303);
  });
});

describe('CSRF: JSON requests', () => {
  it('need no token, but are refused when Origin or Sec-Fetch-Site says cross-site', async () => {
    const agent = request.agent(t.app);
    await loginJson(agent, 'dora');
    const before = await postModel(t.connection).countDocuments();

    const evil = await agent.post('/posts').set('Origin', EVIL).send({ title: 'json forged', body: 'x' });
    expect(evil.status).toBe(403);
    const site = await agent
      .post('/posts')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ title: 'json forged', body: 'x' });
    expect(site.status).toBe(403);
    const sameSite = await agent
      .post('/posts')
      .set('Sec-Fetch-Site', 'same-site')
      .send({ title: 'json forged', body: 'x' });
    expect(sameSite.status).toBe(403);
    expect(await postModel(t.connection).countDocuments()).toBe(before);

    const same = await agent
      .post('/posts')
      .set({ Origin: 'http://folio.test', Host: 'folio.test', 'Sec-Fetch-Site': 'same-origin' })
      .send({ title: 'json ok', body: 'x' });
    expect(same.status).toBe(201);
    const plain = await agent.post('/posts').send({ title: 'json ok 2', body: 'x' });
    expect(plain.status).toBe(201);
  });

  it('a cross-site JSON login sets no cookie', async () => {
    const res = await request(t.app)
      .post('/auth/login')
      .set('Origin', EVIL)
      .send({ username: 'dora', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'Cross-site request refused' });
    expect(setCookies(res)).toEqual([]);
  });
});
