import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, expectValidHtml } from '../support/app';
import { csrfTokenFrom, PASSWORD } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { loginJson, registerJson } from '../support/users';

let t: TestApp;
let author: Agent;
let other: Agent;
let postId: string;

beforeAll(async () => {
  t = await startTestApp();
  author = request.agent(t.app);
  other = request.agent(t.app);
  await registerJson(author, 'valid');
  await registerJson(other, 'second');
  const res = await author.post('/posts').send({
    title: 'A <valid> & "quoted" title',
    body: '# Heading\n\nText with **bold**, [a link](https://example.com) and ![img](https://example.com/i.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```',
  });
  postId = res.body.post.id;
  await author.post(`/reading-list/${postId}`).send({});
  await loginJson(request.agent(t.app), 'valid'); // a second device on the sessions page
});
afterAll(() => t.close());

async function expectValid(
  agent: Agent | ReturnType<typeof request>,
  path: string,
  status = 200,
  send?: () => Promise<request.Response>,
) {
  const res = send ? await send() : await (agent as Agent).get(path);
  await expectValidHtml(res, { status, what: path });
}

describe('rendered pages pass html-validate (recommended)', () => {
  it('anonymous pages', async () => {
    const anon = request.agent(t.app);
    for (const path of [
      '/posts',
      `/posts/${postId}`,
      '/auth/login',
      '/auth/register',
      '/auth/logout',
      '/reading-list',
      '/users/valid',
      '/posts?page=9',
    ]) {
      await expectValid(anon, path);
    }
    await expectValid(anon, '/missing', 404);
    await expectValid(anon, '/posts/0123456789abcdef01234567', 404);
  });

  it('signed-in pages', async () => {
    for (const path of [
      '/posts',
      `/posts/${postId}`,
      '/posts/new',
      `/posts/${postId}/edit`,
      `/posts/${postId}/delete`,
      '/account/sessions',
      '/account/password',
      '/account/sessions/revoke-others',
      '/reading-list',
      '/auth/logout',
      '/users/valid',
    ]) {
      await expectValid(author, path);
    }
    await expectValid(other, `/posts/${postId}/edit`, 403);
  });

  it('forms re-rendered with errors', async () => {
    const token = csrfTokenFrom((await author.get('/posts/new')).text);
    await expectValid(author, '/posts', 422, () =>
      author.post('/posts').type('form').send({ title: '', body: '', _csrf: token }),
    );
    await expectValid(author, '/account/password', 422, () =>
      author
        .post('/account/password')
        .type('form')
        .send({ currentPassword: 'x', newPassword: 'y', confirmPassword: 'z', _csrf: token }),
    );
    const anon = request.agent(t.app);
    await expectValid(anon, '/auth/register', 422, () =>
      anon.post('/auth/register').type('form').send({ username: 'x', password: 'y' }),
    );
    // A confirmation with its way on: "Saved", View list and an Undo form in the flash.
    const saveToken = csrfTokenFrom((await author.get(`/posts/${postId}`)).text);
    await author.post(`/reading-list/${postId}/remove`).type('form').send({ _csrf: saveToken });
    await author
      .post(`/reading-list/${postId}`)
      .type('form')
      .send({ _csrf: saveToken, returnTo: `/posts/${postId}` });
    const saved = await author.get(`/posts/${postId}`);
    expect(saved.text).toContain('View list');
    await expectValid(author, `/posts/${postId}`, 200, async () => saved);
    // A stale token: the page that explains and offers to send the form again.
    await expectValid(author, '/posts', 403, () =>
      author.post('/posts').type('form').send({ title: 'T', body: 'B', _csrf: 'stale' }),
    );
    // The login page with a reason and a kept form waiting.
    await expectValid(anon, '/auth/login?next=%2Fposts%2Fnew', 200, () => anon.get('/auth/login?next=%2Fposts%2Fnew'));
    await expectValid(anon, '/auth/login', 401, () =>
      anon
        .post('/auth/login')
        .type('form')
        .send({ username: 'valid', password: `${PASSWORD}!` }),
    );
  });
});
