import { Types } from 'mongoose';
import { SaxesParser } from 'saxes';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/factors/totp';
import {
  type Agent,
  ATTACK_NEW_PASSWORD,
  ATTACK_PASSWORD,
  ATTACK_PUBLIC_URL,
  type AttackApp,
  enableCodes,
  loginJson,
  registerVerified,
  startAttackApp,
} from '../support/attack-app';
import { csrfTokenFrom } from '../support/http';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../support/smtp-server';

/**
 * Issue 19: the findings about what the app keeps, logs, caches and stores — each performed as an attacker
 * would against the running app (real mongod, real SMTP server). Every test here failed on 3bf7dfd.
 */

let smtp: TestSmtpServer;
let t: AttackApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startAttackApp(smtp, { env: { PAGE_CACHE_SECONDS: '60' } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

async function linkFrom(to: string, subject: RegExp, path: string): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to.includes(to) && subject.test(m.subject));
  return pathOf(linkIn(mail.text, `${ATTACK_PUBLIC_URL}${path}`));
}

async function endOtherSessions(username: string): Promise<void> {
  const other = request.agent(t.app);
  expect((await loginJson(other, username)).status).toBe(200);
  expect((await other.post('/account/sessions/revoke-others').send({})).status).toBe(200);
}

async function formLogin(agent: Agent, username: string, next: string) {
  const page = await agent.get(`/auth/login?next=${encodeURIComponent(next)}`);
  // A browser with no session yet has no token to send (and needs none).
  const token = /name="_csrf"/.test(page.text) ? { _csrf: csrfTokenFrom(page.text) } : {};
  return agent
    .post('/auth/login')
    .type('form')
    .send({ username, password: ATTACK_PASSWORD, next, ...token });
}

describe('finding 3: a kept form belongs to whoever typed it', () => {
  it("Alice's kept draft is not shown to Mallory signing in on the same browser", async () => {
    const alice = await registerVerified(t, 'alice3');
    await registerVerified(t, 'mallory3');
    const token = csrfTokenFrom((await alice.get('/posts/new')).text);
    await endOtherSessions('alice3');
    const kept = await alice
      .post('/posts')
      .type('form')
      .send({ title: 'Alice private title', body: 'Alice private draft', status: 'draft', _csrf: token });
    expect(kept.status).toBe(303);
    expect((await formLogin(alice, 'mallory3', '/posts/new')).status).toBe(303);
    const page = await alice.get('/posts/new');
    expect(page.text).not.toContain('Alice private');
    expect(page.text).not.toContain('Here is what you wrote');
    // Nor does Alice get it later on that browser: it was dropped when someone else signed in.
    expect(await t.connection.collection('sessions').countDocuments({ 'session.keptForm': { $exists: true } })).toBe(0);
  });

  it('an anonymous post to an edit form plants nothing in the author’s form', async () => {
    const author = await registerVerified(t, 'author3');
    const created = await author.post('/posts').send({ title: 'Real title', body: 'Real body' });
    const id = created.body.post.id as string;
    const browser = request.agent(t.app);
    const planted = await browser
      .post(`/posts/${id}`)
      .type('form')
      .send({ title: 'Planted title', body: 'Planted body', status: 'published' });
    expect(planted.status).toBe(303);
    expect((await formLogin(browser, 'author3', `/posts/${id}/edit`)).status).toBe(303);
    const form = await browser.get(`/posts/${id}/edit`);
    expect(form.text).toContain('Real title');
    expect(form.text).not.toContain('Planted');
  });
});

describe('finding 8: the kept form counts names as well as values', () => {
  it('a 90,000-character field name is not stored', async () => {
    const writer = await registerVerified(t, 'names8');
    const token = csrfTokenFrom((await writer.get('/posts/new')).text);
    await endOtherSessions('names8');
    const res = await writer
      .post('/posts')
      .type('form')
      .send({ title: 't', body: 'b', _csrf: token, ['n'.repeat(90_000)]: 'v' });
    expect(res.status).toBe(303);
    const sessions = await t.connection.collection('sessions').find({}).toArray();
    const largest = Math.max(...sessions.map((s) => JSON.stringify(s).length));
    expect(largest).toBeLessThan(30_000);
  });
});

describe('finding 4: tokens of mailed links never reach the request log', () => {
  it('reset, verify, restore and not-me links: no token in any log line', async () => {
    const tokens: string[] = [];
    const lastSegment = (path: string) => path.split('/').pop() ?? '';
    // Verify: the link mailed at registration.
    const owner = request.agent(t.app);
    expect(
      (
        await owner
          .post('/auth/register')
          .send({ username: 'logs4', password: ATTACK_PASSWORD, email: 'logs4@example.com' })
      ).status,
    ).toBe(201);
    const verify = await linkFrom('logs4@example.com', /confirm/i, '/account/email/verify/');
    tokens.push(lastSegment(verify));
    expect((await request(t.app).get(verify)).status).toBe(200);
    expect((await request(t.app).post(verify).send({})).status).toBe(200);
    // Not-me: a sign-in from another browser.
    expect((await loginJson(request.agent(t.app), 'logs4')).status).toBe(200);
    const notMe = await linkFrom('logs4@example.com', /new sign-in/i, '/account/not-me/');
    tokens.push(lastSegment(notMe));
    expect((await request(t.app).get(notMe)).status).toBe(200);
    expect((await request(t.app).post(notMe).send({})).status).toBe(200);
    // Reset: mailed by the not-me page, and by /auth/forgot.
    const reset = await linkFrom('logs4@example.com', /reset/i, '/auth/reset/');
    tokens.push(lastSegment(reset));
    expect((await request(t.app).get(reset)).status).toBe(200);
    expect((await request(t.app).post(reset).send({ password: ATTACK_NEW_PASSWORD })).status).toBe(200);
    // Restore: the link mailed when the account is closed.
    const again = request.agent(t.app);
    expect((await loginJson(again, 'logs4', ATTACK_NEW_PASSWORD)).status).toBe(200);
    expect((await again.post('/account/delete').send({ password: ATTACK_NEW_PASSWORD })).status).toBe(200);
    const restore = await linkFrom('logs4@example.com', /deleted/i, '/account/restore/');
    tokens.push(lastSegment(restore));
    expect((await request(t.app).get(restore)).status).toBe(200);
    expect((await request(t.app).post(restore).send({})).status).toBe(200);

    expect(tokens.every((token) => /^[A-Za-z0-9_-]{43}$/.test(token))).toBe(true);
    const log = t.logLines.join('\n');
    // The routes are logged (by their pattern)...
    for (const route of ['/account/email/verify/', '/account/not-me/', '/auth/reset/', '/account/restore/']) {
      expect(log).toContain(route);
    }
    // ...and no token is.
    for (const token of tokens) expect(log).not.toContain(token);
  });
});

describe('finding 9: control characters are not stored', () => {
  it('a title with U+0001 leaves the feed well-formed XML, by a conformant parser', async () => {
    const writer = await registerVerified(t, 'ctrl9');
    const created = await writer
      .post('/posts')
      .send({ title: 'Hello\u0001world', body: 'line\u0002one\ttab\nnext', tags: 'a\u0003b' });
    expect(created.status).toBe(201);
    const id = created.body.post.id as string;
    expect((await writer.post(`/posts/${id}/comments`).send({ body: 'nice\u0007 one' })).status).toBeLessThan(400);
    const stored = await t.connection.collection('posts').findOne({ _id: new Types.ObjectId(id) });
    expect(stored?.title).toBe('Helloworld');
    expect(stored?.body).toBe('lineone\ttab\nnext');
    const feed = await request(t.app).get('/feed.xml');
    expect(feed.status).toBe(200);
    const parser = new SaxesParser();
    const errors: string[] = [];
    parser.on('error', (err) => errors.push(err.message));
    parser.write(feed.text).close();
    expect(errors).toEqual([]);
    expect(JSON.stringify(await t.connection.collection('comments').find({}).toArray())).not.toContain('\\u0007');
  });
});

describe('finding 10: the page cache', () => {
  it('a logout with no session, a refused form and a failed login do not empty it', async () => {
    await request(t.app).get('/posts?page=1').expect(200);
    expect((await request(t.app).get('/posts?page=1')).headers['x-page-cache']).toBe('hit');
    expect((await request(t.app).post('/auth/logout').type('form').send({})).status).toBe(303);
    expect((await request(t.app).post('/posts').type('form').send({ title: 'x', body: 'y' })).status).toBe(303);
    expect((await request(t.app).post('/auth/login').send({ username: 'nobody', password: 'wrong' })).status).toBe(401);
    expect((await request(t.app).get('/posts?page=1')).headers['x-page-cache']).toBe('hit');
  });

  it('recognises the session cookie as express-session does (a space before "=")', async () => {
    const reader = await registerVerified(t, 'cookie10');
    await request(t.app).get('/posts?page=2').expect(200);
    expect((await request(t.app).get('/posts?page=2')).headers['x-page-cache']).toBe('hit');
    const jar = reader.jar.getCookie('folio.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false });
    expect(jar?.value).toBeTruthy();
    const res = await request(t.app).get('/posts?page=2').set('Cookie', `folio.sid =${jar?.value}`);
    expect(res.headers['x-page-cache']).toBeUndefined();
    expect(res.text).toContain('cookie10');
  });
});

describe('finding 12: authenticator seeds are encrypted at rest', () => {
  it('neither the stored record nor the session holds the seed; a clear seed is encrypted on first use', async () => {
    const owner = await registerVerified(t, 'seed12');
    const setup = await owner.get('/account/two-factor').set('Accept', 'application/json');
    const pendingSecret = setup.body.secret as string;
    const sessions = JSON.stringify(await t.connection.collection('sessions').find({}).toArray());
    expect(sessions).not.toContain(pendingSecret);
    const { secret } = await enableCodes(t, owner);
    expect(secret).toBe(pendingSecret);
    const stored = await t.connection.collection('two_factor').findOne({});
    expect(JSON.stringify(stored)).not.toContain(secret);

    // A seed stored in the clear by an older version still works, and is encrypted when used.
    await t.connection.collection('two_factor').updateOne({ _id: stored?._id }, { $set: { secret } });
    const visitor = request.agent(t.app);
    expect((await loginJson(visitor, 'seed12')).status).toBe(202);
    expect((await visitor.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) })).status).toBe(200);
    const after = await t.connection.collection('two_factor').findOne({ _id: stored?._id });
    expect(JSON.stringify(after)).not.toContain(secret);
  });
});
