import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import type { Agent } from '../support/app';
import { csrfTokenFrom } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

let t: TestApp;
let author: Agent;
let other: Agent;

beforeAll(async () => {
  t = await startTestApp();
  author = request.agent(t.app);
  other = request.agent(t.app);
  await registerJson(author, 'writer');
  await registerJson(other, 'intruder');
});
afterAll(() => t.close());

async function createPost(title = 'Original title', body = 'Original *body*'): Promise<string> {
  const token = csrfTokenFrom((await author.get('/posts/new')).text);
  const res = await author.post('/posts').type('form').send({ title, body, _csrf: token });
  expect(res.status).toBe(303);
  return (res.headers.location as string).split('/').pop() as string;
}

const tokenOf = async (agent: Agent, path: string) => csrfTokenFrom((await agent.get(path)).text);

describe('editing', () => {
  it('the author edits: change visible, updatedAt moves, "edited" shown', async () => {
    const id = await createPost();
    // Written an hour ago: an edit now tells the reader something (a fix in the first minutes would not).
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await postModel(t.connection).updateOne({ _id: id }, { $set: { createdAt: anHourAgo, publishedAt: anHourAgo } });
    const before = await postModel(t.connection).findById(id).lean();
    const page = await author.get(`/posts/${id}`);
    expect(page.text).toContain(`href="/posts/${id}/edit"`);
    expect(page.text).not.toContain('class="edited"');

    const form = await author.get(`/posts/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Original title"');
    expect(form.text).toContain('>Original *body*</textarea>');

    await new Promise((r) => setTimeout(r, 5));
    const res = await author
      .post(`/posts/${id}`)
      .type('form')
      .send({ title: ' New title ', body: 'New **body**', _csrf: csrfTokenFrom(form.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/posts/${id}`);

    const after = await postModel(t.connection).findById(id).lean();
    expect(after?.title).toBe('New title');
    expect(after?.bodyHtml).toContain('<strong>body</strong>');
    expect(after?.updatedAt.getTime()).toBeGreaterThan(before?.updatedAt.getTime() ?? Number.POSITIVE_INFINITY);
    const shown = await request(t.app).get(`/posts/${id}`);
    expect(shown.text).toContain('<h1 class="post__title">New title</h1>');
    expect(shown.text).toContain('<strong>body</strong>');
    expect(shown.text).toMatch(/class="edited">edited <time datetime=/);
    // Only the author sees the edit links.
    expect(shown.text).not.toContain(`/posts/${id}/edit`);
  });

  it('another user → 403 on GET and POST, document unchanged; anonymous → login', async () => {
    const id = await createPost('Mine', 'mine');
    const before = await postModel(t.connection).findById(id).lean();
    expect((await other.get(`/posts/${id}/edit`)).status).toBe(403);
    const token = await tokenOf(other, '/posts/new');
    const post = await other.post(`/posts/${id}`).type('form').send({ title: 'Hijacked', body: 'x', _csrf: token });
    expect(post.status).toBe(403);
    const json = await other.post(`/posts/${id}`).send({ title: 'Hijacked', body: 'x' });
    expect(json.status).toBe(403);
    expect(await postModel(t.connection).findById(id).lean()).toEqual(before);

    const anon = await request(t.app).get(`/posts/${id}/edit`);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe(`/auth/login?next=${encodeURIComponent(`/posts/${id}/edit`)}`);
    const anonPost = await request(t.app).post(`/posts/${id}`).type('form').send({ title: 'x', body: 'y' });
    expect(anonPost.status).toBe(303);
    expect(await postModel(t.connection).findById(id).lean()).toEqual(before);
  });

  it('title or body empty / too long → 422 with the field message and the input kept', async () => {
    const id = await createPost();
    const token = await tokenOf(author, `/posts/${id}/edit`);
    const empty = await author
      .post(`/posts/${id}`)
      .type('form')
      .send({ title: '   ', body: 'kept <b>body</b>', _csrf: token });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Give the post a title');
    expect(empty.text).toContain('>kept &lt;b&gt;body&lt;/b&gt;</textarea>');
    expect(empty.text).toContain('aria-invalid="true"');
    const long = await author
      .post(`/posts/${id}`)
      .type('form')
      .send({ title: 'ok', body: 'x'.repeat(20_001), _csrf: token });
    expect(long.status).toBe(422);
    expect(long.text).toContain('Keep the post to 20,000 characters');
    const emptyBody = await author.post('/posts').type('form').send({ title: 'kept title', body: '', _csrf: token });
    expect(emptyBody.status).toBe(422);
    expect(emptyBody.text).toContain('Write something');
    expect(emptyBody.text).toContain('value="kept title"');
  });
});

describe('deleting', () => {
  it('a confirmation page first, then the author deletes: gone from the list and the page 404s', async () => {
    const id = await createPost('Doomed post', 'bye');
    const confirm = await author.get(`/posts/${id}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain(`<form method="post" action="/posts/${id}/delete"`);
    expect(await postModel(t.connection).exists({ _id: id })).not.toBeNull();

    const res = await author
      .post(`/posts/${id}/delete`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(confirm.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/posts');
    const list = await author.get('/posts');
    expect(list.text).toContain('“Doomed post” has been deleted.');
    expect(list.text).not.toContain(`href="/posts/${id}"`);
    expect((await request(t.app).get(`/posts/${id}`)).status).toBe(404);
  });

  it('another user → 403 and the post is still there', async () => {
    const id = await createPost('Survivor', 'still here');
    expect((await other.get(`/posts/${id}/delete`)).status).toBe(403);
    const token = await tokenOf(other, '/posts/new');
    const res = await other.post(`/posts/${id}/delete`).type('form').send({ _csrf: token });
    expect(res.status).toBe(403);
    expect(await postModel(t.connection).exists({ _id: id })).not.toBeNull();
  });
});

describe('missing posts', () => {
  it.each([
    '/posts/not-an-id',
    '/posts/0123456789abcdef01234567',
    '/posts/0123456789abcdef01234567/edit',
    '/posts/%24ne',
  ])('%s → 404 page', async (path) => {
    const res = await author.get(path);
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
  });
});
