import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userModel } from '../../src/users/user.model';
import { csrfTokenFrom } from '../support/http';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { type Agent, type MailApp, PUBLIC_URL, pathOf, register, STRONG_PASSWORD, startMailApp } from './mail-app';

let smtp: TestSmtpServer;
let t: MailApp;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startMailApp({ smtp });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const VERIFY_PREFIX = `${PUBLIC_URL}/account/email/verify/`;

async function verificationLinkFor(email: string, after = 0): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject.includes('Confirm') && m !== undefined);
  const all = smtp.mails.filter((m) => m.to.includes(email) && m.subject.includes('Confirm'));
  return linkIn((all[all.length - 1] ?? mail).text, VERIFY_PREFIX).slice(after);
}

async function profile(agent: Agent) {
  return (await agent.get('/auth/profile')).body.user as { username: string; email?: string; emailVerified?: boolean };
}

async function changeAddress(agent: Agent, email: string, currentPassword = STRONG_PASSWORD) {
  return agent.post('/account/email').send({ email, currentPassword });
}

describe('verifying an address', () => {
  it('register with an address → a mail with text and HTML parts and a link under PUBLIC_URL; opening it changes nothing; confirming verifies', async () => {
    const agent = request.agent(t.app);
    await register(agent, 'vera', 'Vera@Example.org');
    expect(await profile(agent)).toEqual({
      username: 'vera',
      role: expect.any(String),
      email: 'vera@example.org',
      emailVerified: false,
    });

    const mail = await smtp.waitFor((m) => m.to.includes('vera@example.org'));
    expect(mail.subject).toBe('Confirm your address for Folio');
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/i);
    expect(mail.raw).toMatch(/Content-Type: text\/html/i);
    const link = linkIn(mail.text, VERIFY_PREFIX);
    expect(mail.html).toContain(`href="${link}"`);
    expect(link).toMatch(/^https:\/\/folio\.example\/account\/email\/verify\/[A-Za-z0-9_-]{43}$/);

    // A mail scanner (no session) and the user each open it, twice: nothing changes.
    for (const opener of [request(t.app), agent, request(t.app)]) {
      const page = await opener.get(pathOf(link));
      expect(page.status).toBe(200);
      expect(page.text).toContain('Confirm address');
      expect(page.text).toContain('vera@example.org');
    }
    expect((await profile(agent)).emailVerified).toBe(false);

    // Confirmed from another device, without a session (a sessionless same-origin form, like login).
    const confirm = await request(t.app).post(pathOf(link)).type('form').send({});
    expect(confirm.status).toBe(303);
    expect(confirm.headers.location).toBe('/account/email/verified');
    expect(await profile(agent)).toEqual({
      username: 'vera',
      role: expect.any(String),
      email: 'vera@example.org',
      emailVerified: true,
    });

    // Spent: the same link again is the clear page, never a 500.
    const again = await request(t.app).post(pathOf(link)).type('form').send({});
    expect([404, 410]).toContain(again.status);
    expect(again.text).toContain('This link has expired or was already used');
  });

  it('a confirm form posted from another site is refused and verifies nothing', async () => {
    const agent = request.agent(t.app);
    await register(agent, 'cross', 'cross@example.org');
    const link = await verificationLinkFor('cross@example.org');
    const forged = await request(t.app)
      .post(pathOf(link))
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({});
    expect(forged.status).toBe(403);
    expect((await profile(agent)).emailVerified).toBe(false);
  });

  it('an expired confirmation link (controllable clock) is refused with the clear page', async () => {
    const agent = request.agent(t.app);
    await register(agent, 'slowpoke', 'slow@example.org');
    const link = await verificationLinkFor('slow@example.org');
    t.clock.now += t.config.tokens.verifyMs + 1_000;
    try {
      const page = await request(t.app).get(pathOf(link));
      expect(page.status).toBe(410);
      expect(page.text).toContain('This link has expired or was already used');
      expect((await request(t.app).post(pathOf(link)).type('form').send({})).status).toBe(410);
    } finally {
      t.clock.now = Date.now();
    }
    const stored = await userModel(t.connection).findOne({ username: 'slowpoke' }).lean();
    expect(stored?.emailVerified).toBe(false);
  });

  it('changing the address: wrong password → 422 and no mail; right → a link to the new one, a notice to the old, which stays the recovery address until confirmed', async () => {
    const agent = request.agent(t.app);
    await register(agent, 'chang', 'old@example.org');
    await request(t.app)
      .post(pathOf(await verificationLinkFor('old@example.org')))
      .type('form')
      .send({});
    expect(await profile(agent)).toMatchObject({ email: 'old@example.org', emailVerified: true });

    // Wrong password, as a form: 422, the address kept in the form, the password not; and no mail at all.
    const page = await agent.get('/account/email');
    expect(page.status).toBe(200);
    const mailsBefore = smtp.mails.length;
    const wrong = await agent
      .post('/account/email')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), email: 'new@example.org', currentPassword: 'not my password' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your current password');
    expect(wrong.text).toContain('value="new@example.org"');
    expect(wrong.text).not.toContain('not my password');
    expect((await changeAddress(agent, 'new@example.org', 'still wrong')).status).toBe(422);
    await t.mailer.idle();
    expect(smtp.mails.length).toBe(mailsBefore);

    const right = await changeAddress(agent, 'new@example.org');
    expect(right.status).toBe(202);
    const verify = await smtp.waitFor((m) => m.to.includes('new@example.org'));
    const notice = await smtp.waitFor((m) => m.to.includes('old@example.org') && m.subject.includes('being changed'));
    expect(notice.text).toContain('n•••@ex•••.org');
    expect(notice.text).not.toContain('new@example.org');
    expect(notice.html).not.toContain('new@example.org');

    // Until confirmed, the old address is the account's, and the one a reset goes to.
    expect(await profile(agent)).toMatchObject({ email: 'old@example.org', emailVerified: true });
    const shown = await agent.get('/account/email');
    expect(shown.text).toContain('Waiting for confirmation');
    expect(shown.text).toContain('new@example.org');
    await request(t.app).post('/auth/forgot').send({ email: 'new@example.org' });
    await request(t.app).post('/auth/forgot').send({ email: 'old@example.org' });
    await t.mailer.idle();
    const resets = smtp.mails.filter((m) => m.subject === 'Reset your Folio password');
    expect(resets.some((m) => m.to.includes('old@example.org'))).toBe(true);
    expect(resets.some((m) => m.to.includes('new@example.org'))).toBe(false);

    // Confirming on the signed-in device: back to the page with a message, and the new address counts.
    const confirmPage = await agent.get(pathOf(linkIn(verify.text, VERIFY_PREFIX)));
    const confirmed = await agent
      .post(pathOf(linkIn(verify.text, VERIFY_PREFIX)))
      .type('form')
      .send({ _csrf: csrfTokenFrom(confirmPage.text) });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.location).toBe('/account/email');
    expect(await profile(agent)).toMatchObject({ email: 'new@example.org', emailVerified: true });
    // The reset link mailed to the old address no longer speaks for the account.
    const oldReset = resets.find((m) => m.to.includes('old@example.org'));
    const stale = await request(t.app).get(pathOf(linkIn(oldReset?.text ?? '', `${PUBLIC_URL}/auth/reset/`)));
    expect(stale.status).toBe(404);
  });

  it('addresses are unique among verified ones, case-insensitively, without telling a stranger', async () => {
    const owner = request.agent(t.app);
    await register(owner, 'owner', 'Taken@Example.org');
    await request(t.app)
      .post(pathOf(await verificationLinkFor('taken@example.org')))
      .type('form')
      .send({});

    // A stranger registering with the address (in other case) gets the answer anyone gets.
    const stranger = request.agent(t.app);
    const res = await stranger
      .post('/auth/register')
      .send({ username: 'stranger', password: STRONG_PASSWORD, email: 'TAKEN@example.ORG' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ user: { username: 'stranger' } });
    const changed = await changeAddress(owner, 'taken@example.org');
    expect(changed.status).toBe(200); // the owner is told it is already theirs; nobody else is

    // The mailbox's owner holds the stranger's link; confirming it cannot take the address.
    await t.mailer.idle();
    const links = smtp.mails.filter((m) => m.to.includes('taken@example.org') && m.subject.includes('Confirm'));
    const strangers = links[links.length - 1];
    if (!strangers) throw new Error('no mail');
    const taken = await request(t.app)
      .post(pathOf(linkIn(strangers.text, VERIFY_PREFIX)))
      .type('form')
      .send({});
    expect(taken.status).toBe(409);
    expect(await profile(stranger)).toMatchObject({ email: 'taken@example.org', emailVerified: false });
    expect(await profile(owner)).toMatchObject({ email: 'taken@example.org', emailVerified: true });
  });

  it('an account without a confirmed address says it cannot be recovered, and how to add one', async () => {
    const agent = request.agent(t.app);
    await register(agent, 'noaddress');
    expect(await profile(agent)).toEqual({ username: 'noaddress', role: expect.any(String) });
    const page = await agent.get('/account/email');
    expect(page.text).toContain('cannot be recovered');
    expect(page.text).toContain('Send confirmation link');
    expect((await request(t.app).get('/auth/register')).text).toContain('cannot be recovered');
  });
});
