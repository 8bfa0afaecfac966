import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let postId: string;

beforeAll(async () => {
  t = await startTestApp();
  agent = request.agent(t.app);
  await registerJson(agent, 'getter');
  postId = (await agent.post('/posts').send({ title: 'Stays', body: 'as it is' })).body.post.id;
  await agent.post(`/reading-list/${postId}`).send({});
});
afterAll(() => t.close());

/** Everything a user could care about, minus the bookkeeping a read may touch (last seen, CSRF token). */
async function snapshot() {
  const db = t.connection.db;
  if (!db) throw new Error('not connected');
  const sessions = await db.collection(SESSIONS_COLLECTION).find().sort({ _id: 1 }).toArray();
  return {
    users: await db.collection('users').find().sort({ _id: 1 }).toArray(),
    posts: await db.collection('posts').find().sort({ _id: 1 }).toArray(),
    sessions: sessions.map((s) => ({ id: s._id, user: s.session.user, readingList: s.session.readingList })),
  };
}

describe('no state change on GET', () => {
  it('GET of every route, signed in and anonymous, changes no user, post or session', async () => {
    const before = await snapshot();
    const paths = [
      '/',
      '/posts',
      '/posts?page=2',
      '/posts/new',
      `/posts/${postId}`,
      `/posts/${postId}/edit`,
      `/posts/${postId}/delete`,
      '/auth/register',
      '/auth/login',
      '/auth/logout',
      '/auth/profile',
      '/account/sessions',
      '/account/password',
      '/reading-list',
      '/users/getter',
      '/healthz',
      '/readyz',
    ];
    for (const path of paths) {
      const signedIn = await agent.get(path);
      expect(signedIn.status, path).toBeLessThan(500);
      const anonymous = await request(t.app).get(path);
      expect(anonymous.status, path).toBeLessThan(500);
      expect(anonymous.headers['set-cookie'], path).toBeUndefined();
    }
    expect(await snapshot()).toEqual(before);
    expect((await agent.get('/auth/profile')).status).toBe(200);
  });
});
