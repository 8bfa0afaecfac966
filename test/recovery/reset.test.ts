import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, TOKENS_COLLECTION } from '../../src/users/account-tokens';
import { userModel } from '../../src/users/user.model';
import { csrfTokenFrom } from '../support/http';
import { linkIn, type ReceivedMail, startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import {
  type Agent,
  login,
  type MailApp,
  NEW_PASSWORD,
  PUBLIC_URL,
  pathOf,
  register,
  STRONG_PASSWORD,
  startMailApp,
} from './mail-app';

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

const RESET_PREFIX = `${PUBLIC_URL}/auth/reset/`;
const RESET_SUBJECT = 'Reset your Folio password';
const CLEAR_PAGE = 'This link has expired or was already used';

/** An account with a confirmed address, confirmed through its mailed link. Returns the signed-in agent. */
async function accountWithAddress(username: string, app = t.app): Promise<Agent> {
  const agent = request.agent(app);
  const email = `${username}@example.org`;
  await register(agent, username, email);
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject.includes('Confirm'));
  const confirmed = await request(app)
    .post(pathOf(linkIn(mail.text, `${PUBLIC_URL}/account/email/verify/`)))
    .send({});
  if (confirmed.status !== 200) throw new Error(`confirm ${email}: ${confirmed.status}`);
  return agent;
}

function mailsTo(email: string, subject = RESET_SUBJECT): ReceivedMail[] {
  return smtp.mails.filter((m) => m.to.includes(email) && m.subject === subject);
}

/** Asks for a reset link and returns it (the newest reset mail to the address). */
async function resetLink(email: string): Promise<string> {
  const before = mailsTo(email).length;
  const res = await request(t.app).post('/auth/forgot').send({ email });
  expect(res.status).toBe(202);
  await t.mailer.idle();
  const mails = mailsTo(email);
  expect(mails.length).toBe(before + 1);
  return linkIn(mails[mails.length - 1]?.text ?? '', RESET_PREFIX);
}

async function signedIn(agent: Agent, app = t.app): Promise<boolean> {
  const res = await agent.get('/auth/profile');
  if (res.status === 200) return true;
  expect(res.status).toBe(401);
  void app;
  return false;
}

describe('POST /auth/forgot', () => {
  it('answers an unknown and a known confirmed address identically; only the known one gets a mail', async () => {
    await accountWithAddress('known');
    const unknown = await request(t.app).post('/auth/forgot').send({ email: 'nobody@example.org' });
    const known = await request(t.app).post('/auth/forgot').send({ email: 'known@example.org' });
    expect(unknown.status).toBe(202);
    expect([known.status, known.body]).toEqual([unknown.status, unknown.body]);
    // The form: the same redirect, to the same page, with no cookie.
    const unknownForm = await request(t.app).post('/auth/forgot').type('form').send({ email: 'nobody@example.org' });
    const knownForm = await request(t.app).post('/auth/forgot').type('form').send({ email: 'known@example.org' });
    expect([knownForm.status, knownForm.headers.location, knownForm.text]).toEqual([
      unknownForm.status,
      unknownForm.headers.location,
      unknownForm.text,
    ]);
    expect(knownForm.status).toBe(303);
    expect(knownForm.headers['set-cookie']).toBeUndefined();
    await t.mailer.idle();
    expect(smtp.mails.some((m) => m.to.includes('nobody@example.org'))).toBe(false);
    expect(mailsTo('known@example.org')).toHaveLength(2);
  });

  it('answers before any mail work: a known address is answered as fast, with the mail server holding every message', async () => {
    await accountWithAddress('timely');
    // The server holds each message until released: an answer that waited for the mail could not come at all.
    // (Should it wait, the guard lets the mail through after 5 s, and the checks below fail instead of hanging.)
    const release = smtp.hold();
    const guard = setTimeout(release, 5_000);
    try {
      const timed = async (email: string) => {
        const started = performance.now();
        const res = await request(t.app).post('/auth/forgot').send({ email });
        expect(res.status).toBe(202);
        return performance.now() - started;
      };
      const known = await timed('timely@example.org');
      const unknown = await timed('nobody-at-all@example.org');
      console.info(`forgot answered in ${known.toFixed(1)} ms (known) and ${unknown.toFixed(1)} ms (unknown)`);
      expect(mailsTo('timely@example.org')).toHaveLength(0); // still held: the answers did not wait for it
      expect(known).toBeLessThan(1_000);
      expect(unknown).toBeLessThan(1_000);
      release();
      await t.mailer.idle(); // the mail itself went out once the server let it, off the request path
      expect(mailsTo('timely@example.org')).toHaveLength(1);
    } finally {
      clearTimeout(guard);
      release();
    }
  });

  it('sends nothing to an address that was never confirmed', async () => {
    await register(request.agent(t.app), 'unconfirmed', 'unconfirmed@example.org');
    await request(t.app).post('/auth/forgot').send({ email: 'unconfirmed@example.org' });
    await t.mailer.idle();
    expect(mailsTo('unconfirmed@example.org')).toHaveLength(0);
  });

  it('never builds a link from Host or X-Forwarded-Host', async () => {
    const trusting = await startMailApp({
      smtp,
      env: { ALLOWED_HOSTS: 'evil.example,127.0.0.1', TRUST_PROXY: 'loopback' },
    });
    try {
      const agent = request.agent(trusting.app);
      await register(agent, 'hosty', 'hosty@example.org');
      const mail = await smtp.waitFor((m) => m.to.includes('hosty@example.org'));
      await request(trusting.app)
        .post(pathOf(linkIn(mail.text, `${PUBLIC_URL}/account/email/verify/`)))
        .send({});
      const res = await request(trusting.app)
        .post('/auth/forgot')
        .set('Host', 'evil.example')
        .set('X-Forwarded-Host', 'evil.example')
        .set('X-Forwarded-Proto', 'https')
        .send({ email: 'hosty@example.org' });
      expect(res.status).toBe(202);
      await trusting.mailer.idle();
      const [reset] = mailsTo('hosty@example.org');
      if (!reset) throw new Error('no reset mail');
      expect(linkIn(reset.text, RESET_PREFIX).startsWith(`${PUBLIC_URL}/auth/reset/`)).toBe(true);
      expect(reset.raw).not.toContain('evil.example');
    } finally {
      await trusting.close();
    }
  });
});

describe('resetting the password', () => {
  it("sets the new password from the link's form, signs out every earlier session on every process, and sends a notice", async () => {
    const first = await accountWithAddress('rita');
    const otherProcess = t.another();
    const second = request.agent(otherProcess);
    expect((await login(second, 'rita')).status).toBe(200);
    expect(await signedIn(first)).toBe(true);

    const link = await resetLink('rita@example.org');
    // A mail scanner's GET and the user's: the form, and nothing spent.
    expect((await request(t.app).get(pathOf(link))).status).toBe(200);
    const page = await request(t.app).get(pathOf(link));
    expect(page.text).toContain('Choose a new password');
    expect(page.text).toContain('name="confirmPassword"');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.headers['cache-control']).toBe('no-store');

    const done = await request(t.app)
      .post(pathOf(link))
      .type('form')
      .send({ password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/auth/reset/done');

    // Every earlier session, asked on either process, is signed out.
    for (const app of [t.app, otherProcess]) {
      for (const agent of [first, second]) {
        const cookie = (agent as unknown as { jar: { getCookies(o: object): { toValueString(): string }[] } }).jar
          .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
          .map((c) => c.toValueString())
          .join('; ');
        const res = await request(app).get('/auth/profile').set('Cookie', cookie);
        expect(res.status).toBe(401);
      }
    }
    expect((await login(request.agent(t.app), 'rita')).status).toBe(401);
    expect((await login(request.agent(t.app), 'rita', NEW_PASSWORD)).status).toBe(200);

    const notice = await smtp.waitFor(
      (m) => m.to.includes('rita@example.org') && m.subject === 'Your Folio password was changed',
    );
    expect(notice.text).toContain(`${PUBLIC_URL}/auth/forgot`);
    expect(notice.html).toContain('every device');
  });

  it('refuses a spent link, an expired one and one issued before a password change, and changes nothing', async () => {
    const owner = await accountWithAddress('ursula');
    const spent = await resetLink('ursula@example.org');
    expect((await request(t.app).post(pathOf(spent)).send({ password: NEW_PASSWORD })).status).toBe(200);
    for (const res of [
      await request(t.app).get(pathOf(spent)),
      await request(t.app)
        .post(pathOf(spent))
        .type('form')
        .send({ password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD }),
    ]) {
      expect([404, 410]).toContain(res.status);
      expect(res.text).toContain(CLEAR_PAGE);
      expect(res.text).toContain('href="/auth/forgot"');
    }
    // The second use changed nothing: the password is the one the first use set.
    expect((await login(request.agent(t.app), 'ursula', NEW_PASSWORD)).status).toBe(200);
    void owner;

    // Expired (the app's clock, 30 minutes and a second later).
    const expired = await resetLink('ursula@example.org');
    t.clock.now += t.config.tokens.resetMs + 1_000;
    try {
      expect((await request(t.app).get(pathOf(expired))).status).toBe(410);
      const late = await request(t.app).post(pathOf(expired)).send({ password: STRONG_PASSWORD });
      expect(late.status).toBe(410);
      expect(late.body).toEqual({ error: CLEAR_PAGE });
    } finally {
      t.clock.now = Date.now();
    }
    expect((await login(request.agent(t.app), 'ursula', NEW_PASSWORD)).status).toBe(200);

    // Issued before a password change.
    const changer = await accountWithAddress('victor');
    const before = await resetLink('victor@example.org');
    const changed = await changer
      .post('/account/password')
      .send({ currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    const stale = await request(t.app).get(pathOf(before));
    expect(stale.status).toBe(410);
    expect(stale.text).toContain(CLEAR_PAGE);
    expect((await request(t.app).post(pathOf(before)).send({ password: 'an attacker chose this one' })).status).toBe(
      410,
    );
    expect((await login(request.agent(t.app), 'victor', NEW_PASSWORD)).status).toBe(200);

    // An unknown link, and a malformed one: the clear page, never a 500.
    for (const path of [
      '/auth/reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/auth/reset/x',
      '/auth/reset/%E0%A4%A',
      '/account/email/verify/%E0%A4%A',
    ]) {
      const res = await request(t.app).get(path);
      expect(res.status, path).toBeLessThan(500);
      expect([400, 404]).toContain(res.status);
    }
  });

  it('a newer link voids the older one', async () => {
    await accountWithAddress('wanda');
    const older = await resetLink('wanda@example.org');
    const newer = await resetLink('wanda@example.org');
    expect((await request(t.app).get(pathOf(older))).status).toBe(404);
    expect((await request(t.app).get(pathOf(newer))).status).toBe(200);
  });

  it('keeps the link usable when the new password is refused, and lets exactly one of two concurrent submissions win', async () => {
    await accountWithAddress('xena');
    const link = await resetLink('xena@example.org');
    const page = await request(t.app).get(pathOf(link));
    const weak = await request(t.app)
      .post(pathOf(link))
      .type('form')
      .send({ password: 'short', confirmPassword: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.text).toContain('Choose a new password');
    expect(weak.text).not.toContain('value="short"');
    const json = await request(t.app).post(pathOf(link)).send({ password: 'password123' });
    expect(json.status).toBe(422);
    expect(json.body.fields.password).toBeDefined();
    void page;

    const results = await Promise.all(
      ['first racer picks this', 'second racer picks that'].map((password) =>
        request(t.app).post(pathOf(link)).send({ password }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([404, 410]).toContain(statuses[1]);
    const winner = results.find((r) => r.status === 200);
    expect(winner?.body).toMatchObject({ message: 'Password changed' });
  });
});

describe('tokens and throttling', () => {
  it('keeps no token in MongoDB in the clear', async () => {
    await accountWithAddress('yusuf');
    const link = await resetLink('yusuf@example.org');
    const token = link.slice(RESET_PREFIX.length);
    const db = t.connection.db;
    if (!db) throw new Error('not connected');
    const everything: string[] = [];
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      everything.push(JSON.stringify(await db.collection(name).find().toArray()));
    }
    const dump = everything.join('\n');
    expect(dump).not.toContain(token);
    expect(dump).toContain(hashToken(token));
    const stored = await db.collection(TOKENS_COLLECTION).findOne({ tokenHash: hashToken(token) });
    expect(stored?.expiresAt.getTime() - stored?.createdAt.getTime()).toBe(30 * 60_000);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
  });

  it('ten requests for one address at once send at most three mails, and every answer looks the same', async () => {
    // A fresh app with every limit as shipped.
    const shipped = await startMailApp({ smtp, defaultLimits: true });
    try {
      await shipped.connection
        .collection('users')
        .insertOne({ username: 'zoe', passwordHash: 'x', email: 'zoe@example.org', emailVerified: true });
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => request(shipped.app).post('/auth/forgot').send({ email: 'zoe@example.org' })),
      );
      expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
      expect(answers[0]?.status).toBe(202);
      await shipped.mailer.idle();
      expect(mailsTo('zoe@example.org')).toHaveLength(3);
    } finally {
      await shipped.close();
    }
  });

  it('at most so many recovery requests from one client an hour, whatever the addresses, with the usual answer', async () => {
    const strict = await startMailApp({ smtp, mailLimits: { perAddress: 3, perIp: 4, windowSeconds: 3_600 } });
    try {
      const emails = ['ip1', 'ip2', 'ip3', 'ip4', 'ip5', 'ip6'].map((u) => `${u}@example.org`);
      for (const email of emails) {
        await strict.connection
          .collection('users')
          .insertOne({ username: email.slice(0, 3), passwordHash: 'x', email, emailVerified: true });
      }
      const answers = await Promise.all(
        emails.map((email) => request(strict.app).post('/auth/forgot').send({ email })),
      );
      expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
      await strict.mailer.idle();
      const sent = emails.filter((email) => mailsTo(email).length > 0);
      expect(sent).toHaveLength(4);
    } finally {
      await strict.close();
    }
  });

  it('a form post to the reset page from another site is refused', async () => {
    await accountWithAddress('quinn');
    const link = await resetLink('quinn@example.org');
    const forged = await request(t.app)
      .post(pathOf(link))
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ password: 'chosen by the attacker', confirmPassword: 'chosen by the attacker' });
    expect(forged.status).toBe(403);
    expect((await request(t.app).get(pathOf(link))).status).toBe(200);
    const user = await userModel(t.connection).findOne({ username: 'quinn' }).lean();
    expect(user?.credentialsVersion ?? 0).toBe(0);
  });

  it('a signed-in visitor posting the reset form needs the CSRF token of their session', async () => {
    const agent = await accountWithAddress('csrfy');
    const link = await resetLink('csrfy@example.org');
    const page = await agent.get(pathOf(link));
    const without = await agent
      .post(pathOf(link))
      .type('form')
      .send({ password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(without.status).toBe(403);
    const withToken = await agent
      .post(pathOf(link))
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(withToken.status).toBe(303);
  });
});
