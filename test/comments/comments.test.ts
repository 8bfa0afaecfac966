import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentModel } from '../../src/posts/comments/comment.model';
import { postModel } from '../../src/posts/post.model';
import { type Agent, createPost, startBlogApp } from '../posts/blog-app';
import { XSS_PAYLOADS } from '../posts/xss-payloads';
import { csrfTokenFrom } from '../support/http';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

let t: TestApp;
let postAuthor: Agent;
let commenter: Agent;
let bystander: Agent;
let postId: string;

beforeAll(async () => {
  t = await startBlogApp({
    writeLimits: {
      post: { key: 'post', points: 30, duration: 600 },
      comment: { key: 'comment', points: 100, duration: 60 },
    },
  });
  postAuthor = request.agent(t.app);
  commenter = request.agent(t.app);
  bystander = request.agent(t.app);
  await registerJson(postAuthor, 'poster');
  await registerJson(commenter, 'replier');
  await registerJson(bystander, 'bystander');
  postId = await createPost(postAuthor, { title: 'Talk to me', body: 'Comments welcome.' });
});
afterAll(() => t.close());

async function comment(agent: Agent, body: string, id = postId): Promise<request.Response> {
  const token = csrfTokenFrom((await agent.get(`/posts/${id}`)).text);
  return agent.post(`/posts/${id}/comments`).type('form').send({ body, _csrf: token });
}
const commentIdOf = (res: request.Response) => /#comment-([a-f0-9]{24})$/.exec(String(res.headers.location))?.[1] ?? '';

async function deleteComment(agent: Agent, commentId: string, withToken = true): Promise<request.Response> {
  const token = csrfTokenFrom((await agent.get(`/posts/${postId}`)).text);
  return agent
    .post(`/posts/${postId}/comments/${commentId}/delete`)
    .type('form')
    .send(withToken ? { _csrf: token } : {});
}

describe('comments', () => {
  it('are created and shown oldest first with author and time; the summary counts them', async () => {
    const first = await comment(commenter, 'First! With *emphasis*, `code` and [a link](https://example.com).');
    expect(first.status).toBe(303);
    await comment(bystander, 'Second.');
    const page = await request(t.app).get(`/posts/${postId}`).expect(200);
    const firstAt = page.text.indexOf('First!');
    expect(firstAt).toBeGreaterThan(0);
    expect(page.text.indexOf('Second.')).toBeGreaterThan(firstAt);
    expect(page.text).toContain('<em>emphasis</em>');
    expect(page.text).toContain('<code>code</code>');
    expect(page.text).toContain('<a rel="nofollow ugc noopener" href="https://example.com">a link</a>');
    expect(page.text).toMatch(/<a href="\/users\/replier">replier<\/a> · <time datetime="/);
    expect(page.text).toContain('<h2 id="comments-title" class="comments__title">2 comments</h2>');
    const list = await request(t.app).get('/posts').expect(200);
    expect(list.text).toContain('2 comments<span class="visually-hidden"> on “Talk to me”</span>');
  });

  it('the Markdown subset: no images, headings or raw HTML', async () => {
    const res = await comment(commenter, '# Big\n\n![pic](https://example.com/a.png)\n\n<b>bold?</b>');
    const id = commentIdOf(res);
    const stored = await commentModel(t.connection).findById(id).lean();
    expect(stored?.bodyHtml).not.toMatch(/<(h\d|img|b)\b/);
    expect(stored?.bodyHtml).toContain('&lt;b&gt;bold?&lt;/b&gt;');
  });

  it('1–2,000 characters: empty and too long → 422 with the input kept', async () => {
    const empty = await comment(commenter, '   ');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Write a comment');
    const long = await comment(commenter, 'y'.repeat(2_001));
    expect(long.status).toBe(422);
    expect(long.text).toContain('Keep the comment to 2,000 characters');
    expect(long.text).toContain(`>${'y'.repeat(2_001)}</textarea>`);
  });

  it('deleted by their author, and by the post’s author; 403 for anyone else; 403 without the CSRF token', async () => {
    const mine = commentIdOf(await comment(commenter, 'Delete me myself'));
    const theirs = commentIdOf(await comment(commenter, 'The post author deletes this'));
    const before = (await postModel(t.connection).findById(postId).lean())?.commentCount ?? 0;

    expect((await deleteComment(bystander, mine)).status).toBe(403);
    expect((await deleteComment(commenter, mine, false)).status).toBe(403);
    expect(await commentModel(t.connection).exists({ _id: mine })).not.toBeNull();
    const anonymous = await request(t.app).post(`/posts/${postId}/comments/${mine}/delete`).type('form').send({});
    expect([303, 401, 403]).toContain(anonymous.status);
    expect(await commentModel(t.connection).exists({ _id: mine })).not.toBeNull();

    expect((await deleteComment(commenter, mine)).status).toBe(303);
    expect(await commentModel(t.connection).exists({ _id: mine })).toBeNull();
    expect((await deleteComment(postAuthor, theirs)).status).toBe(303);
    expect(await commentModel(t.connection).exists({ _id: theirs })).toBeNull();
    expect((await postModel(t.connection).findById(postId).lean())?.commentCount).toBe(before - 2);
    // Deleting again: gone.
    expect((await deleteComment(postAuthor, theirs)).status).toBe(404);
  });

  it('creating needs the CSRF token (403) and a sign-in', async () => {
    const before = await commentModel(t.connection).countDocuments();
    const forged = await commenter.post(`/posts/${postId}/comments`).type('form').send({ body: 'forged' });
    expect(forged.status).toBe(403);
    const anonymous = await request(t.app).post(`/posts/${postId}/comments`).type('form').send({ body: 'anon' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/auth\/login/);
    expect(await commentModel(t.connection).countDocuments()).toBe(before);
  });

  it('an anonymous reader sees "Log in to comment" that returns to the post; no comment form', async () => {
    const page = await request(t.app).get(`/posts/${postId}`).expect(200);
    expect(page.text).toContain(`<a href="/auth/login?next=%2Fposts%2F${postId}">Sign in to comment</a>`);
    expect(page.text).not.toContain('class="form comment-form"');
  });

  it('the XSS corpus in comments renders inert', async () => {
    for (const payload of XSS_PAYLOADS) expect((await comment(bystander, payload)).status).toBe(303);
    const page = (await request(t.app).get(`/posts/${postId}`).expect(200)).text;
    const thread = /<section class="comments"[\s\S]*<\/section>/.exec(page)?.[0] ?? '';
    expect(thread.length).toBeGreaterThan(1000);
    expect(thread).not.toMatch(/<script/i);
    expect(thread).not.toMatch(/<(iframe|object|embed|svg|math|style|img|details|body|form action="javascript)/i);
    expect(thread).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    expect(thread).not.toMatch(/<[a-z][^>]*\sstyle\s*=/i);
    expect(thread).not.toMatch(/<[a-z][^>]*\s(href|src|action)\s*=\s*["']?\s*(javascript|data|vbscript):/i);
  });

  it('go with their post', async () => {
    const doomed = await createPost(postAuthor, { title: 'Short-lived', body: 'x' });
    await comment(commenter, 'On a doomed post', doomed);
    expect(await commentModel(t.connection).countDocuments({ postId: doomed })).toBe(1);
    const token = csrfTokenFrom((await postAuthor.get(`/posts/${doomed}/delete`)).text);
    await postAuthor.post(`/posts/${doomed}/delete`).type('form').send({ _csrf: token }).expect(303);
    expect(await commentModel(t.connection).countDocuments({ postId: doomed })).toBe(0);
  });

  it('not on drafts: 404', async () => {
    const draft = await createPost(postAuthor, { title: 'Draft', body: 'x', status: 'draft' });
    const token = csrfTokenFrom((await postAuthor.get(`/posts/${draft}`)).text);
    const res = await postAuthor.post(`/posts/${draft}/comments`).type('form').send({ body: 'hi', _csrf: token });
    expect(res.status).toBe(404);
  });
});
