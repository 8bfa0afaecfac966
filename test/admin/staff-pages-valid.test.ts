import { HtmlValidate } from 'html-validate';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_COLLECTION } from '../../src/mail/outbox';
import { type Agent, staffAgent } from '../roles/staff-support';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });

let t: TestApp;
let owner: Agent;
let editor: Agent;
let troll: Agent;
let postId: string;
let commentId: string;
let inviteToken: string;

beforeAll(async () => {
  t = await startTestApp({ env: { PAGE_CACHE_SECONDS: '0' } });
  owner = request.agent(t.app);
  await registerJson(owner, 'owner');
  editor = await staffAgent(t, 'editor', 'editor');
  troll = await staffAgent(t, 'troll', 'reader');
  const post = await owner.post('/posts').send({ title: 'A <valid> & "quoted" post', body: 'Body' });
  postId = String(post.body.post.id);
  const comment = await troll.post(`/posts/${postId}/comments`).send({ body: 'Rude <b>words</b>' });
  commentId = String(comment.body.comment.id);
  await editor.post(`/posts/${postId}/comments/${commentId}/report`).send({ reason: 'Rude & <loud>' });
  await owner.post('/admin/invites').send({ email: 'guest@example.com', role: 'author' });
  for (let i = 0; i < 50 && !inviteToken; i += 1) {
    const mail = await t.connection.collection(OUTBOX_COLLECTION).findOne({ to: 'guest@example.com' });
    inviteToken = /\/auth\/invite\/([A-Za-z0-9_-]{43})/.exec(String(mail?.text ?? ''))?.[1] ?? '';
    if (!inviteToken) await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(() => t.close());

async function expectValid(res: request.Response, path: string, status = 200) {
  expect(res.status, path).toBe(status);
  const report = await validator.validateString(res.text);
  const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} line ${m.line}: ${m.message}`));
  expect(messages, `${path}\n${messages.join('\n')}`).toEqual([]);
}

describe('staff pages pass html-validate (recommended)', () => {
  it('the staff area, for the owner', async () => {
    for (const path of [
      '/admin',
      '/admin/reports',
      '/admin/users',
      '/admin/users?q=tr',
      '/admin/users/troll',
      '/admin/users/owner',
      '/admin/users/troll/suspend',
      '/admin/users/troll/unsuspend',
      '/admin/users/troll/sign-out',
      '/admin/settings',
      '/admin/invites',
      '/admin/log',
    ]) {
      await expectValid(await owner.get(path), path);
    }
  });

  it('report forms, the invitation page, a hidden comment, and the refusals', async () => {
    await expectValid(await troll.get(`/posts/${postId}/report`), 'report post');
    await expectValid(await editor.get(`/posts/${postId}/comments/${commentId}/report`), 'report comment');
    await expectValid(await request(t.app).get(`/auth/invite/${inviteToken}`), 'invitation');
    await editor.post(`/admin/comments/${commentId}/hide`).send({});
    await expectValid(await troll.get(`/posts/${postId}`), 'hidden comment, seen by its author');
    await expectValid(await editor.get('/admin'), 'staff area for an editor');
    await expectValid(await troll.get('/admin'), 'staff area refused', 403);
    const invalid = await owner.post('/admin/settings').type('form').send({ _csrf: 'x', siteTitle: '' });
    expect(invalid.status).toBe(403);
  });
});
