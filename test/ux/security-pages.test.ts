import { HtmlValidate } from 'html-validate';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestOutboxMail } from '../../src/mail/outbox';
import { userModel } from '../../src/users/user.model';
import { registerWithVerifiedAddress } from '../factors/factors-helpers';
import { type Agent, login, type MailApp, PUBLIC_URL, pathOf, startMailApp } from '../recovery/mail-app';
import { csrfTokenFrom } from '../support/http';

/** Issue 25 — the security log names how each sign-in happened and ends live ones; "this wasn't me" says which. */

const FIREFOX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
async function expectValid(html: string) {
  const report = await validator.validateString(html);
  const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} line ${m.line}: ${m.message}`));
  expect(messages, messages.join('\n')).toEqual([]);
}

let t: MailApp;
let owner: Agent;
beforeAll(async () => {
  t = await startMailApp();
  owner = await registerWithVerifiedAddress(t, 'keeper');
  await userModel(t.connection).updateOne({ username: 'keeper' }, { $set: { timeZone: 'Europe/Berlin' } });
  // The zone is read at sign-in: sign in again (a JSON client sends none, so the account's is used).
  await owner.post('/auth/logout').send({});
  expect((await login(owner, 'keeper')).status).toBe(200);
});
afterAll(() => t?.close());

async function mailTo(address: string, subject: string) {
  await t.mailer.idle();
  const mail = (await latestOutboxMail(t.connection)).find((m) => m.to === address && m.subject.includes(subject));
  if (!mail) throw new Error(`no mail "${subject}"`);
  return mail;
}

describe('the security log', () => {
  it('says how each sign-in happened, and offers "Sign out this device" while that session lives', async () => {
    const other = request.agent(t.app);
    expect((await login(other.set('User-Agent', FIREFOX), 'keeper')).status).toBe(200);
    const json = await owner.get('/account/security').set('Accept', 'application/json');
    const signIns = (json.body.events as { type: string; method?: string; liveSession?: string }[]).filter(
      (e) => e.type === 'signed_in',
    );
    expect(signIns.map((e) => e.method)).toEqual(['with a password', 'with a password', 'with a password']);
    const page = await owner.get('/account/security').expect(200);
    await expectValid(page.text);
    expect(page.text).toContain('Signed in with a password');
    expect(page.text).toContain('<span class="badge badge--quiet">This device</span>');
    const action = /action="(\/account\/sessions\/[^"]+\/revoke)"/.exec(page.text)?.[1];
    expect(action).toBeDefined();
    expect(page.text.match(/Sign out this device/g)).toHaveLength(1);
    // Times in the account's zone.
    expect(page.text).toMatch(/ at \d{2}:\d{2} (CET|CEST)</);
    await owner
      .post(action as string)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) })
      .expect(303);
    expect((await other.get('/auth/profile')).status).toBe(401);
    const after = await owner.get('/account/security');
    expect(after.text).not.toContain('Sign out this device');
  });
});

describe('“This wasn’t me”', () => {
  it('names the sign-in (device, time in the account’s zone, IP) and then lists the next steps', async () => {
    const intruder = request.agent(t.app);
    expect((await login(intruder.set('User-Agent', FIREFOX), 'keeper')).status).toBe(200);
    const alert = await mailTo('keeper@example.com', 'New sign-in');
    const link = /(https?:\/\/\S+\/account\/not-me\/[\w-]+)/.exec(alert.text)?.[1];
    expect(link?.startsWith(PUBLIC_URL)).toBe(true);
    const page = await request(t.app)
      .get(pathOf(link as string))
      .expect(200);
    await expectValid(page.text);
    expect(page.text).toContain('<dt>Device</dt><dd>Firefox 128 on Ubuntu</dd>');
    expect(page.text).toMatch(
      /<dt>When<\/dt><dd><time datetime="[^"]+">\d{1,2} \w+ \d{4} at \d{2}:\d{2} (CET|CEST)<\/time>/,
    );
    expect(page.text).toMatch(/<dt>IP address<\/dt><dd>[\d.:a-f]+<\/dd>/);
    // The owner reports it from their own signed-in browser: "change your password now" is right there.
    const done = await owner
      .post(pathOf(link as string))
      .type('form')
      .send({ _csrf: csrfTokenFrom((await owner.get(pathOf(link as string))).text) })
      .expect(200);
    await expectValid(done.text);
    expect(done.text).toContain('<a class="button" href="/account/password">Change your password now</a>');
    expect(done.text).toContain('href="/account/two-factor">Turn on two-factor authentication</a>');
    expect(done.text).toContain('href="/account/sessions">Review your devices</a>');
    expect((await intruder.get('/auth/profile')).status).toBe(401);
  });

  it('from a signed-out browser the next step is the mailed reset link', async () => {
    const intruder = request.agent(t.app);
    // A new device each time: a fresh agent has no device cookie.
    expect((await login(intruder.set('User-Agent', 'Other/1.0'), 'keeper')).status).toBe(200);
    await t.mailer.idle();
    const alerts = (await latestOutboxMail(t.connection)).filter((m) => m.subject.includes('New sign-in'));
    const link = /(https?:\/\/\S+\/account\/not-me\/[\w-]+)/.exec(alerts[0]?.text ?? '')?.[1] as string;
    const done = await request(t.app).post(pathOf(link)).type('form').send({}).expect(200);
    expect(done.text).toContain('Set a new password');
    expect(done.text).not.toContain('Change your password now');
  });
});
