import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestOutboxMail } from '../../src/mail/outbox';
import { expectValidHtml } from '../support/app';
import { linkIn } from '../support/smtp-server';
import { type Agent, type MailApp, PUBLIC_URL, pathOf, register, startMailApp } from './mail-app';

let t: MailApp;
let agent: Agent;
let verifyPath: string;
let resetPath: string;

beforeAll(async () => {
  t = await startMailApp(); // development outbox
  agent = request.agent(t.app);
  await register(agent, 'pages', 'pages@example.org');
  await t.mailer.idle();
  const [verify] = await latestOutboxMail(t.connection);
  verifyPath = pathOf(linkIn(verify?.text ?? '', `${PUBLIC_URL}/account/email/verify/`));
});
afterAll(() => t?.close());

const expectValid = (res: request.Response, status = 200) => expectValidHtml(res, { status });

describe('the recovery pages', () => {
  it('pass html-validate, signed in and anonymous', async () => {
    const anon = request(t.app);
    await expectValid(await agent.get('/account/email'));
    await expectValid(await anon.get(verifyPath));
    await expectValid(await agent.get(verifyPath));
    await expectValid(await anon.get('/auth/forgot'));
    await expectValid(await anon.post('/auth/forgot').type('form').send({ email: 'not an address' }), 422);
    await expectValid(await anon.get('/auth/forgot/sent'));
    await expectValid(await anon.get('/account/email/verified'));
    await expectValid(await anon.get('/dev/mail'));
    await expectValid(await agent.get('/account/sessions'));

    await anon.post(verifyPath).send({});
    await expectValid(await anon.get(verifyPath), 404);
    await anon.post('/auth/forgot').send({ email: 'pages@example.org' });
    await t.mailer.idle();
    const [reset] = await latestOutboxMail(t.connection);
    resetPath = pathOf(linkIn(reset?.text ?? '', `${PUBLIC_URL}/auth/reset/`));
    await expectValid(await anon.get(resetPath));
    await expectValid(await anon.post(resetPath).type('form').send({ password: 'x', confirmPassword: 'y' }), 422);
    await expectValid(await anon.get('/auth/reset/done'));
  });

  it('account pages of a user without a confirmed address say it cannot be recovered; with one, they do not', async () => {
    const bare = request.agent(t.app);
    await register(bare, 'bare');
    for (const path of ['/account/sessions', '/account/password']) {
      const page = await bare.get(path);
      expect(page.text, path).toContain('cannot be recovered');
      expect(page.text, path).toContain('href="/account/email"');
    }
    // "pages" confirmed its address in the test above.
    expect((await agent.get('/account/sessions')).text).not.toContain('cannot be recovered');
    expect((await agent.get('/account/email')).text).toContain('is your confirmed address');
  });
});
