import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectValidHtml } from '../support/app';
import { csrfTokenFrom } from '../support/http';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { type Agent, createPost, startBlogApp } from './blog-app';

/** Issue 15's pages pass html-validate (recommended), like every other page (test/views). */

let t: TestApp;
let author: Agent;
let reader: Agent;
let postId: string;
let draftId: string;

beforeAll(async () => {
  t = await startBlogApp();
  author = request.agent(t.app);
  reader = request.agent(t.app);
  await registerJson(author, 'validator');
  await registerJson(reader, 'commentator');
  postId = await createPost(author, {
    title: 'A <valid> & "quoted" post',
    body: 'Body with **bold**.',
    tags: 'Node.js, html',
  });
  draftId = await createPost(author, { title: 'A draft', body: 'x', tags: 'html', status: 'draft' });
  await createPost(author, {
    title: 'Scheduled',
    body: 'x',
    publishAt: new Date(Date.now() + 86_400_000).toISOString().slice(0, 16),
  });
  const token = csrfTokenFrom((await reader.get(`/posts/${postId}`)).text);
  await reader
    .post(`/posts/${postId}/comments`)
    .type('form')
    .send({ body: 'A *comment* with `code` and [a link](https://example.com) <b>raw</b>', _csrf: token })
    .expect(303);
});
afterAll(() => t.close());

const expectValid = (res: request.Response, what: string, status = 200) => expectValidHtml(res, { status, what });

describe('blog pages pass html-validate', () => {
  it('anonymous', async () => {
    for (const path of [
      '/posts',
      `/posts/${postId}`,
      '/tags/html',
      '/tags/none-yet',
      '/search',
      '/search?q=bold',
      '/search?q=nothing-matches',
      '/users/validator',
    ]) {
      await expectValid(await request(t.app).get(path), path);
    }
    await expectValid(await request(t.app).get(`/search?q=${'x'.repeat(200)}`), 'too long', 400);
  });

  it('signed in', async () => {
    for (const path of [
      '/drafts',
      `/posts/${postId}`,
      `/posts/${draftId}`,
      '/posts/new',
      `/posts/${postId}/edit`,
      `/posts/${draftId}/edit`,
    ]) {
      await expectValid(await author.get(path), path);
    }
    await expectValid(await reader.get(`/posts/${postId}`), 'post as a commenter');
  });

  it('forms re-rendered with errors', async () => {
    const token = csrfTokenFrom((await author.get('/posts/new')).text);
    await expectValid(
      await author
        .post('/posts')
        .type('form')
        .send({ title: 'x', body: 'y', tags: 'a,b,c,d,e,f', publishAt: 'soon', _csrf: token }),
      'new post, bad tags and time',
      422,
    );
    const commentToken = csrfTokenFrom((await reader.get(`/posts/${postId}`)).text);
    await expectValid(
      await reader.post(`/posts/${postId}/comments`).type('form').send({ body: '', _csrf: commentToken }),
      'empty comment',
      422,
    );
  });
});
