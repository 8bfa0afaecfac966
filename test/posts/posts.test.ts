import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { csrfTokenFrom, listedTitles } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let csrf: string;

beforeAll(async () => {
  t = await startTestApp();
  agent = request.agent(t.app);
  await registerJson(agent, 'writer');
  csrf = csrfTokenFrom((await agent.get('/posts/new')).text);
});
afterAll(() => t.close());

describe('posts', () => {
  it('an empty blog shows an empty state', async () => {
    const res = await request(t.app).get('/posts');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Nothing has been published yet.');
  });

  it('a created post is first on /posts and has its own page', async () => {
    const res = await agent
      .post('/posts')
      .type('form')
      .send({ title: '  Hello <world>  ', body: 'First *post*', _csrf: csrf });
    expect(res.status).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/posts\/[a-f0-9]{24}$/);

    const list = await request(t.app).get('/posts');
    expect(listedTitles(list.text)[0]).toBe('Hello &lt;world&gt;');
    expect(list.text).toContain('by <a href="/users/writer">writer</a>');

    const page = await agent.get(location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1 class="post__title">Hello &lt;world&gt;</h1>');
    expect(page.text).toContain('Your post is published.');
  });

  it('25 posts → pages of 10, 10, 5; page 4 is an empty state, not an error', async () => {
    const posts = postModel(t.connection);
    await posts.deleteMany({});
    const base = Date.now() - 100_000;
    await posts.insertMany(
      Array.from({ length: 25 }, (_, i) => ({
        title: `Post ${i + 1}`,
        body: `Body ${i + 1}`,
        authorId: '000000000000000000000001',
        authorName: 'writer',
        createdAt: new Date(base + i * 1000),
      })),
    );
    const page1 = await request(t.app).get('/posts?page=1');
    const page2 = await request(t.app).get('/posts?page=2');
    const page3 = await request(t.app).get('/posts?page=3');
    const page4 = await request(t.app).get('/posts?page=4');
    expect(listedTitles(page1.text)).toEqual(Array.from({ length: 10 }, (_, i) => `Post ${25 - i}`));
    expect(listedTitles(page2.text)).toHaveLength(10);
    expect(listedTitles(page3.text)).toEqual(['Post 5', 'Post 4', 'Post 3', 'Post 2', 'Post 1']);
    expect(page4.status).toBe(200);
    expect(listedTitles(page4.text)).toEqual([]);
    expect(page4.text).toContain('There are no posts on page 4.');
    expect(page1.text).toContain('href="/posts?page=2"');
    expect(page2.text).toContain('href="/posts?page=1"');
    expect(page2.text).toContain('href="/posts?page=3"');
    expect((await request(t.app).get('/posts?page=abc')).status).toBe(200);
  });

  it('invalid posts → 422 with field messages and the input kept', async () => {
    const res = await agent.post('/posts').type('form').send({ title: '', body: 'kept body', _csrf: csrf });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Give the post a title');
    expect(res.text).toContain('>kept body</textarea>');
    const long = await agent
      .post('/posts')
      .type('form')
      .send({ title: 'x'.repeat(201), body: 'b', _csrf: csrf });
    expect(long.status).toBe(422);
    expect(long.text).toContain('Keep the title to 200 characters');
  });

  it('anonymous POST /posts creates nothing', async () => {
    const before = await postModel(t.connection).countDocuments();
    const res = await request(t.app).post('/posts').type('form').send({ title: 't', body: 'b' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/auth\/login(\?|$)/);
    expect(await postModel(t.connection).countDocuments()).toBe(before);
  });

  it('unknown and malformed ids → 404 page', async () => {
    const malformed = await request(t.app).get('/posts/not-an-id');
    expect(malformed.status).toBe(404);
    expect(malformed.text).toContain('Page not found');
    const unknown = await request(t.app).get('/posts/0123456789abcdef01234567');
    expect(unknown.status).toBe(404);
  });

  it('GET / redirects to /posts', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/posts');
  });
});
