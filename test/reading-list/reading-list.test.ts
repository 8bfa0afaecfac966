import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { csrfTokenFrom, listedTitles, PASSWORD, sessionCookieValue, setCookies } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

let t: TestApp;
let ids: string[];

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'reader');
  const posts = await postModel(t.connection).insertMany(
    ['First saved', 'Second saved', 'Never saved'].map((title) => ({
      title,
      body: `${title} body`,
      authorId: '000000000000000000000001',
      authorName: 'someone',
    })),
  );
  ids = posts.map((p) => String(p._id));
});
afterAll(() => t.close());

describe('reading list', () => {
  it('anonymous saves 2 posts, logs in, still has both; remove works; a deleted post drops out', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get(`/posts/${ids[0]}`);
    expect(setCookies(page)).toEqual([]);
    expect(page.text).toContain('Save for later');

    const first = await agent
      .post(`/reading-list/${ids[0]}`)
      .type('form')
      .send({ returnTo: `/posts/${ids[0]}` });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(`/posts/${ids[0]}`);
    const anonCookie = sessionCookieValue(first);
    expect(anonCookie).toBeDefined();

    // Now the visitor has a session: the next form needs the token.
    const second = await agent.get(`/posts/${ids[1]}`);
    const forged = await agent.post(`/reading-list/${ids[1]}`).type('form').send({});
    expect(forged.status).toBe(403);
    await agent
      .post(`/reading-list/${ids[1]}`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(second.text) });
    expect(listedTitles((await agent.get('/reading-list')).text)).toEqual(['Second saved', 'First saved']);

    const loginForm = await agent.get('/auth/login');
    const login = await agent
      .post('/auth/login')
      .type('form')
      .send({ username: 'reader', password: PASSWORD, _csrf: csrfTokenFrom(loginForm.text) });
    expect(login.status).toBe(303);
    expect(sessionCookieValue(login)).not.toBe(anonCookie);
    const list = await agent.get('/reading-list');
    expect(list.text).toContain('Signed in as');
    expect(listedTitles(list.text)).toEqual(['Second saved', 'First saved']);

    const removed = await agent
      .post(`/reading-list/${ids[1]}/remove`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(list.text) });
    expect(removed.status).toBe(303);
    const afterRemove = await agent.get('/reading-list');
    expect(listedTitles(afterRemove.text)).toEqual(['First saved']);
    expect(afterRemove.text).toContain('Removed from your reading list.');

    await postModel(t.connection).deleteOne({ _id: ids[0] });
    const afterDelete = await agent.get('/reading-list');
    expect(afterDelete.status).toBe(200);
    expect(listedTitles(afterDelete.text)).toEqual([]);
    expect(afterDelete.text).toContain('Nothing saved yet.');
  });

  it('saving an unknown or malformed post id → 404 and no session', async () => {
    const unknown = await request(t.app).post('/reading-list/0123456789abcdef01234567').type('form').send({});
    expect(unknown.status).toBe(404);
    expect(setCookies(unknown)).toEqual([]);
    const malformed = await request(t.app).post('/reading-list/nope').type('form').send({});
    expect(malformed.status).toBe(404);
  });

  it('a cross-site save → 403 and no cookie', async () => {
    const res = await request(t.app)
      .post(`/reading-list/${ids[2]}`)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({});
    expect(res.status).toBe(403);
    expect(setCookies(res)).toEqual([]);
  });

  it('returnTo cannot send the visitor off-site', async () => {
    const res = await request(t.app).post(`/reading-list/${ids[2]}`).type('form').send({ returnTo: '//evil.example' });
    expect(res.headers.location).toBe('/reading-list');
  });
});
