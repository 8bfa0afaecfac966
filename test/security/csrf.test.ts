import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import type { Agent } from '../support/app';
import { csrfTokenFrom, PASSWORD, setCookies } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser, loginJson } from '../support/users';

let t: TestApp;
const EVIL = 'https://evil.example';

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'dora');
  await createUser(t.app, 'pat');
  doraId = String((await t.connection.collection('users').findOne({ username: 'dora' }))?._id);
  const doraPost = await postModel(t.connection).create({
    title: "Dora's",
    body: 'x',
    authorId: doraId,
    authorName: 'dora',
  });
  doraPostId = String(doraPost._id);
  const post = await postModel(t.connection).create({
    title: 'Saved',
    body: 'b',
    authorId: '000000000000000000000001',
    authorName: 'x',
  });
  postId = String(post._id);
});
afterAll(() => t.close());

async function signedInAgent(username = 'dora') {
  const agent = request.agent(t.app);
  await loginJson(agent, username);
  const token = csrfTokenFrom((await agent.get('/posts/new')).text);
  return { agent, token };
}

interface FormRoute {
  readonly name: string;
  /** Signs in as this user (default dora). */
  readonly user?: string;
  /** Puts the state in place (with a valid token where that needs a post) and says what to post. */
  readonly prepare: (agent: Agent, token: string) => Promise<{ path: string; body: Record<string, string> }>;
  /** Whether the post took effect. */
  readonly changed: () => Promise<boolean>;
}

const sessions = () => t.connection.collection(SESSIONS_COLLECTION);
const sessionCount = (username: string) => sessions().countDocuments({ 'session.user.username': username });
let postId: string;
let loginSessionIds = '';
let doraId: string;
let doraPostId: string;
let deletedId: string;
const sessionIds = async () =>
  (await sessions().find().toArray())
    .map((d) => String(d._id))
    .sort()
    .join(',');

/** Every state-changing form route, with a body that would change something and how to see the change. */
const FORM_ROUTES: FormRoute[] = [
  {
    name: 'POST /posts',
    prepare: async () => ({ path: '/posts', body: { title: 'forged', body: 'forged body' } }),
    changed: async () => (await postModel(t.connection).countDocuments({ title: 'forged' })) > 0,
  },
  {
    name: 'POST /auth/logout',
    prepare: async () => ({ path: '/auth/logout', body: {} }),
    changed: async () => (await sessionCount('dora')) === 0,
  },
  {
    name: 'POST /auth/login (from a session)',
    prepare: async () => {
      loginSessionIds = await sessionIds();
      return { path: '/auth/login', body: { username: 'dora', password: PASSWORD } };
    },
    // A successful login replaces the session: the ids before and after differ.
    changed: async () => (await sessionIds()) !== loginSessionIds,
  },
  {
    name: 'POST /reading-list/:postId',
    prepare: async () => ({ path: `/reading-list/${postId}`, body: {} }),
    // Signed in, the list is kept on the account (reading_lists), not in the session.
    changed: async () => (await t.connection.collection('reading_lists').countDocuments({ postIds: postId })) > 0,
  },
  {
    name: 'POST /reading-list/:postId/remove',
    prepare: async (agent, token) => {
      await agent.post(`/reading-list/${postId}`).type('form').send({ _csrf: token });
      return { path: `/reading-list/${postId}/remove`, body: {} };
    },
    changed: async () => (await t.connection.collection('reading_lists').countDocuments({ postIds: postId })) === 0,
  },
  {
    name: 'POST /account/sessions/revoke-others',
    prepare: async () => {
      await loginJson(request.agent(t.app), 'dora');
      return { path: '/account/sessions/revoke-others', body: {} };
    },
    changed: async () => (await sessionCount('dora')) === 1,
  },
  {
    name: 'POST /account/sessions/:sid/revoke',
    prepare: async (agent) => {
      await loginJson(request.agent(t.app), 'dora');
      const page = await agent.get('/account/sessions');
      const path = /action="(\/account\/sessions\/[^"]+\/revoke)"/.exec(page.text)?.[1];
      if (!path) throw new Error('no other session listed');
      return { path, body: {} };
    },
    changed: async () => (await sessionCount('dora')) === 1,
  },
  {
    name: 'POST /posts/:id (edit)',
    prepare: async () => ({ path: `/posts/${doraPostId}`, body: { title: 'edited by forgery', body: 'x' } }),
    changed: async () => (await postModel(t.connection).countDocuments({ title: 'edited by forgery' })) > 0,
  },
  {
    name: 'POST /posts/:id/delete',
    prepare: async () => {
      const post = await postModel(t.connection).create({
        title: 'to delete',
        body: 'x',
        authorId: doraId,
        authorName: 'dora',
      });
      deletedId = String(post._id);
      return { path: `/posts/${deletedId}/delete`, body: {} };
    },
    changed: async () => (await postModel(t.connection).exists({ _id: deletedId })) === null,
  },
  {
    name: 'POST /account/password',
    user: 'pat',
    prepare: async () => ({
      path: '/account/password',
      body: { currentPassword: PASSWORD, newPassword: 'forged-new-password', confirmPassword: 'forged-new-password' },
    }),
    changed: async () =>
      (await request(t.app).post('/auth/login').send({ username: 'pat', password: PASSWORD })).status !== 200,
  },
];

describe('CSRF: forms from a signed-in session', () => {
  for (const route of FORM_ROUTES) {
    it(`${route.name} without a token → 403 and nothing changes; with it → works`, async () => {
      await sessions().deleteMany({});
      const { agent, token } = await signedInAgent(route.user);
      const { path, body } = await route.prepare(agent, token);
      expect(await route.changed()).toBe(false);

      const missing = await agent.post(path).type('form').send(body);
      expect(missing.status).toBe(403);
      const wrong = await agent
        .post(path)
        .type('form')
        // Always another token (ending a token in "00" left it unchanged when it already ended so: 1 in 256).
        .send({ ...body, _csrf: `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}` });
      expect(wrong.status).toBe(403);
      const nested = await agent
        .post(path)
        .type('form')
        .send(`_csrf[x]=y&${new URLSearchParams(body)}`);
      expect(nested.status).toBe(403);
      const crossSiteJson = await agent.post(path).set('Origin', EVIL).send(body);
      expect(crossSiteJson.status).toBe(403);
      expect(await route.changed()).toBe(false);

      const ok = await agent
        .post(path)
        .type('form')
        .send({ ...body, _csrf: token });
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
      .set({ Origin: 'http://localhost', Host: 'localhost', 'Sec-Fetch-Site': 'same-origin' })
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
      .set({ Origin: 'http://localhost', Host: 'localhost', 'Sec-Fetch-Site': 'same-origin' })
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
