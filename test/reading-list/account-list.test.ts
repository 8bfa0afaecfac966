import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { READING_LIST_MAX, READING_LISTS_COLLECTION } from '../../src/reading-list/reading-list.store';
import type { Agent } from '../support/app';
import { csrfTokenFrom, listedTitles, PASSWORD } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser, loginJson } from '../support/users';

/** Issue 12: the reading list follows the account, on every device, and stays right under concurrency. */

let t: TestApp;
let ids: string[];

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'traveller');
  await createUser(t.app, 'racer');
  await createUser(t.app, 'merger');
  const posts = await postModel(t.connection).insertMany(
    Array.from({ length: 12 }, (_, i) => ({
      title: `Post ${i + 1}`,
      body: `Body ${i + 1}`,
      authorId: '000000000000000000000001',
      authorName: 'someone',
    })),
  );
  ids = posts.map((p) => String(p._id));
});
afterAll(() => t.close());

async function device(username: string): Promise<Agent> {
  const agent = request.agent(t.app);
  await loginJson(agent, username);
  return agent;
}

async function save(agent: Agent, id: string): Promise<request.Response> {
  const page = await agent.get(`/posts/${id}`);
  return agent
    .post(`/reading-list/${id}`)
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), returnTo: `/posts/${id}` });
}

const headerCount = (html: string) => /class="nav-count">.*?(\d+)/.exec(html)?.[1];

describe('the reading list on the account', () => {
  it('saved on the laptop, it is on the phone; the button and the header say so; logout and back keeps it', async () => {
    const laptop = await device('traveller');
    const saved = await save(laptop, ids[0] as string);
    expect(saved.status).toBe(303);
    const after = await laptop.get(`/posts/${ids[0]}`);
    expect(after.text).toContain('Saved to your reading list.');
    expect(after.text).toContain('href="/reading-list">View list</a>');
    expect(after.text).toContain(`action="/reading-list/${ids[0]}/remove"`); // Undo, and the Remove button
    expect(headerCount(after.text)).toBe('1');

    const phone = await device('traveller');
    expect(headerCount((await phone.get('/posts')).text)).toBe('1');
    expect(listedTitles((await phone.get('/reading-list')).text)).toEqual(['Post 1']);
    const postOnPhone = await phone.get(`/posts/${ids[0]}`);
    expect(postOnPhone.text).toContain('Saved ✓');

    // Logging out and in again (the complaint: "gone after logging out and in again").
    const token = csrfTokenFrom(postOnPhone.text);
    await phone.post('/auth/logout').type('form').send({ _csrf: token });
    await loginJson(phone, 'traveller');
    expect(listedTitles((await phone.get('/reading-list')).text)).toEqual(['Post 1']);
    // Stored on the account, not in either session.
    const traveller = await t.connection.collection('users').findOne({ username: 'traveller' });
    const doc = await t.connection.collection(READING_LISTS_COLLECTION).findOne({ userId: String(traveller?._id) });
    expect(doc?.postIds).toEqual([ids[0]]);
    expect(await t.connection.collection('sessions').countDocuments({ 'session.readingList': { $exists: true } })).toBe(
      0,
    );
  });

  it('anonymous saves merge into the account at sign-in, newest first, without duplicates', async () => {
    const account = await device('merger');
    await save(account, ids[1] as string);
    const visitor = request.agent(t.app);
    // The first save has no session to forge against (no token); later ones use the page's token.
    await visitor.post(`/reading-list/${ids[1]}`).type('form').send({});
    for (const id of [ids[2], ids[3]] as string[]) await save(visitor, id);
    const form = await visitor.get('/auth/login');
    await visitor
      .post('/auth/login')
      .type('form')
      .send({ username: 'merger', password: PASSWORD, _csrf: csrfTokenFrom(form.text) });
    expect(listedTitles((await visitor.get('/reading-list')).text)).toEqual(['Post 4', 'Post 3', 'Post 2']);
    expect(headerCount((await visitor.get('/posts')).text)).toBe('3');
  });

  it('ten saves from two devices at once all land (atomic $addToSet), and removals too', async () => {
    const [a, b] = await Promise.all([device('racer'), device('racer')]);
    const tokenA = csrfTokenFrom((await a.get('/posts')).text);
    const tokenB = csrfTokenFrom((await b.get('/posts')).text);
    const batch = ids.slice(0, 10);
    const results = await Promise.all(
      batch.map((id, i) =>
        (i % 2 ? a : b)
          .post(`/reading-list/${id}`)
          .type('form')
          .send({ _csrf: i % 2 ? tokenA : tokenB }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(batch.map(() => 303));
    const racer = await t.connection.collection('users').findOne({ username: 'racer' });
    const doc = await t.connection.collection(READING_LISTS_COLLECTION).findOne({ userId: String(racer?._id) });
    expect([...(doc?.postIds ?? [])].sort()).toEqual([...batch].sort());
    await Promise.all(
      batch.slice(0, 4).map((id, i) =>
        (i % 2 ? a : b)
          .post(`/reading-list/${id}/remove`)
          .type('form')
          .send({ _csrf: i % 2 ? tokenA : tokenB }),
      ),
    );
    const left = await t.connection.collection(READING_LISTS_COLLECTION).findOne({ _id: doc?._id });
    expect([...(left?.postIds ?? [])].sort()).toEqual(batch.slice(4).sort());
  });

  it(`is bounded at ${READING_LIST_MAX}: one more is a 409, not a 5xx`, async () => {
    await createUser(t.app, 'hoarder');
    const agent = await device('hoarder');
    const many = Array.from({ length: READING_LIST_MAX }, (_, i) => i.toString(16).padStart(24, 'a'));
    const users = t.connection.collection('users');
    const user = await users.findOne({ username: 'hoarder' });
    await t.connection
      .collection(READING_LISTS_COLLECTION)
      .insertOne({ userId: String(user?._id), postIds: many, updatedAt: new Date() });
    const res = await save(agent, ids[11] as string);
    expect(res.status).toBe(409);
  });
});
