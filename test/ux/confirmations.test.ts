import { HtmlValidate } from 'html-validate';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentModel } from '../../src/posts/comments/comment.model';
import { registerWithVerifiedAddress } from '../factors/factors-helpers';
import { SoftAuthenticator } from '../factors/soft-authenticator';
import { createPost } from '../posts/blog-app';
import { type Agent, type MailApp, startMailApp } from '../recovery/mail-app';
import { csrfTokenFrom } from '../support/http';

/** Issue 25 — deleting a comment and removing a passkey are asked first, on a page of their own. */

const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
async function expectValid(html: string) {
  const report = await validator.validateString(html);
  const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} line ${m.line}: ${m.message}`));
  expect(messages, messages.join('\n')).toEqual([]);
}

let t: MailApp;
let author: Agent;
let commenter: Agent;
let stranger: Agent;
beforeAll(async () => {
  t = await startMailApp();
  author = await registerWithVerifiedAddress(t, 'poster');
  commenter = await registerWithVerifiedAddress(t, 'talker');
  stranger = await registerWithVerifiedAddress(t, 'passerby');
});
afterAll(() => t?.close());

async function comment(agent: Agent, postId: string, body: string): Promise<string> {
  const token = csrfTokenFrom((await agent.get(`/posts/${postId}`)).text);
  const res = await agent.post(`/posts/${postId}/comments`).type('form').send({ _csrf: token, body });
  expect(res.status).toBe(303);
  return /#comment-([a-f0-9]{24})$/.exec(res.headers.location as string)?.[1] as string;
}

describe('deleting a comment', () => {
  it('the post page links to a confirmation page; GET changes nothing; the page’s button deletes', async () => {
    const postId = await createPost(author, { title: 'Talk to me', body: 'Words.' });
    const id = await comment(commenter, postId, 'A *kind* word');
    const page = await commenter.get(`/posts/${postId}`);
    expect(page.text).toContain(
      `<a class="button button--danger-quiet" href="/posts/${postId}/comments/${id}/delete">Delete<span class="visually-hidden"> comment by talker</span></a>`,
    );
    const confirm = await commenter.get(`/posts/${postId}/comments/${id}/delete`).expect(200);
    expect(confirm.text).toContain('Delete this comment?');
    expect(confirm.text).toContain('<em>kind</em>');
    await expectValid(confirm.text);
    expect(await commentModel(t.connection).countDocuments({ _id: id })).toBe(1);
    // The post's author may too; nobody else; not through another post's URL.
    await author.get(`/posts/${postId}/comments/${id}/delete`).expect(200);
    await stranger.get(`/posts/${postId}/comments/${id}/delete`).expect(403);
    const otherPost = await createPost(author, { title: 'Elsewhere', body: 'x' });
    await commenter.get(`/posts/${otherPost}/comments/${id}/delete`).expect(404);
    const anon = await request(t.app).get(`/posts/${postId}/comments/${id}/delete`);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toContain('/auth/login');
    const done = await commenter
      .post(`/posts/${postId}/comments/${id}/delete`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(confirm.text) });
    expect(done.status).toBe(303);
    expect(await commentModel(t.connection).countDocuments({ _id: id })).toBe(0);
  });
});

describe('removing a passkey', () => {
  it('Remove opens a confirmation page naming the passkey; GET removes nothing; its button removes it', async () => {
    const options = await author.post('/account/passkeys/options').send({});
    const response = new SoftAuthenticator('folio.example', 'https://folio.example').register(options.body);
    expect((await author.post('/account/passkeys').send({ response, name: 'Old <phone>' })).status).toBe(201);
    const list = await author.get('/account/passkeys').set('Accept', 'application/json');
    const id = list.body.passkeys[0].id as string;
    const page = await author.get('/account/passkeys');
    expect(page.text).toContain(`href="/account/passkeys/${encodeURIComponent(id)}/remove">Remove`);
    expect(page.text).not.toContain(`action="/account/passkeys/${id}/remove"`);
    const confirm = await author.get(`/account/passkeys/${encodeURIComponent(id)}/remove`).expect(200);
    expect(confirm.text).toContain('Remove this passkey?');
    expect(confirm.text).toContain('Old &lt;phone&gt;');
    await expectValid(confirm.text);
    expect((await author.get('/account/passkeys').set('Accept', 'application/json')).body.passkeys).toHaveLength(1);
    await stranger.get(`/account/passkeys/${encodeURIComponent(id)}/remove`).expect(404);
    await author
      .post(`/account/passkeys/${encodeURIComponent(id)}/remove`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(confirm.text) })
      .expect(303);
    expect((await author.get('/account/passkeys').set('Accept', 'application/json')).body.passkeys).toHaveLength(0);
  });
});
