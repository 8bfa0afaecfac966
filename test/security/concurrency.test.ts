import bcrypt from 'bcrypt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { postModel } from '../../src/posts/post.model';
import { DEFAULT_THROTTLE_LIMITS } from '../../src/security/login-throttle';
import { SESSIONS_COLLECTION } from '../../src/session/session-store';
import { userModel } from '../../src/users/user.model';
import { PASSWORD } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser, loginJson } from '../support/users';

/** Throttles and input rules, with the requests fired together (Promise.all), against a real mongod. */

let t: TestApp;
beforeAll(async () => {
  // Behind one trusted proxy on loopback, so tests can speak for many client addresses.
  t = await startTestApp({ env: { TRUST_PROXY: 'loopback' } });
  for (const name of ['tess', 'ursula', 'vera', 'wanda', 'xena']) await createUser(t.app, name);
});
afterAll(() => t.close());

const wrongLogin = (username: string, ip: string) =>
  request(t.app).post('/auth/login').set('X-Forwarded-For', ip).send({ username, password: 'not-the-password' });

describe('the login throttle holds under concurrency', () => {
  it('40 simultaneous wrong passwords for one account from one address: at most 5 reach bcrypt, the rest 429', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, () => wrongLogin('tess', '198.51.100.1')));
    const checked = replies.filter((r) => r.status === 401);
    const refused = replies.filter((r) => r.status === 429);
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(refused.length).toBe(40 - checked.length);
    for (const r of refused) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('20 simultaneous wrong current passwords on /account/password: at most 5 checked, the rest 429', async () => {
    const agent = request.agent(t.app);
    await loginJson(agent, 'ursula');
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        agent.post('/account/password').send({
          currentPassword: 'a-wrong-guess-123',
          newPassword: 'another-good-passphrase',
          confirmPassword: 'another-good-passphrase',
        }),
      ),
    );
    const checked = replies.filter((r) => r.status === 422);
    const refused = replies.filter((r) => r.status === 429);
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(refused.length).toBe(20 - checked.length);
    for (const r of refused) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('30 addresses of one IPv6 /64 are throttled as one client', async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => wrongLogin('vera', `2001:db8:ab:cd::${(i + 1).toString(16)}`)),
    );
    expect(replies.filter((r) => r.status === 401).length).toBeLessThanOrEqual(5);
    expect(replies.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(25);
    // Another /64 is another client.
    expect((await wrongLogin('vera', '2001:db8:ab:ce::1')).status).toBe(401);
  });

  it('an IPv4-mapped IPv6 address is the same client as its IPv4 address', async () => {
    for (let i = 0; i < 5; i++) expect((await wrongLogin('wanda', '203.0.113.9')).status).toBe(401);
    expect((await wrongLogin('wanda', '::ffff:203.0.113.9')).status).toBe(429);
    expect((await wrongLogin('wanda', '::ffff:cb00:7109')).status).toBe(429);
    expect((await wrongLogin('wanda', '203.0.113.10')).status).toBe(401);
  });
});

describe('a limit per account across all addresses', () => {
  it('past it, the account takes one attempt a minute from anywhere (slowed, not locked)', async () => {
    // The same app with a per-account limit of 10 instead of 100, so the test stays short.
    const app = createApp({
      config: t.config,
      connection: t.connection,
      logger: t.logger,
      throttleLimits: { ...DEFAULT_THROTTLE_LIMITS, failuresPerAccount: 10 },
    });
    await createUser(app, 'yara');
    const attempt = (i: number) =>
      request(app)
        .post('/auth/login')
        .set('X-Forwarded-For', `198.18.${i}.1`)
        .send({ username: 'yara', password: 'nope-nope' });
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i)));
    expect(first.map((r) => r.status)).toEqual(Array(10).fill(401));
    // From ten more addresses at once: one gets the minute's attempt, the others wait.
    const next = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(100 + i)));
    expect(next.filter((r) => r.status === 401).length).toBe(1);
    expect(next.filter((r) => r.status === 429).length).toBe(9);
  });
});

describe('passwords by characters, not bytes', () => {
  const cyrillic = 'пароль-для-проверки-длинных-паролей-на-кириллице-без-обрезания-!';

  it('a 2-character emoji password is refused', async () => {
    const res = await request(t.app).post('/auth/register').send({ username: 'emoji', password: '🔑🔑' });
    expect(res.status).toBe(422);
    expect(res.body.fields.password).toMatch(/at least 8 characters/);
  });

  it('a 64-character Cyrillic password registers and logs in; its 40-character prefix does not', async () => {
    expect([...cyrillic].length).toBe(64);
    expect(Buffer.byteLength(cyrillic)).toBeGreaterThan(72);
    expect((await request(t.app).post('/auth/register').send({ username: 'kirill', password: cyrillic })).status).toBe(
      201,
    );
    const ok = await request(t.app).post('/auth/login').send({ username: 'kirill', password: cyrillic });
    expect(ok.status).toBe(200);
    const prefix = [...cyrillic].slice(0, 40).join('');
    const bad = await request(t.app).post('/auth/login').send({ username: 'kirill', password: prefix });
    expect(bad.status).toBe(401);
  });

  it('common passwords are refused at registration and at a change', async () => {
    for (const password of ['password123', 'Password123', 'iloveyou', 'qwertyuiop']) {
      const res = await request(t.app).post('/auth/register').send({ username: 'commoner', password });
      expect(res.status, password).toBe(422);
      expect(res.body.fields.password).toMatch(/too common/);
    }
    const agent = request.agent(t.app);
    await loginJson(agent, 'xena');
    const change = await agent
      .post('/account/password')
      .send({ currentPassword: PASSWORD, newPassword: 'password123', confirmPassword: 'password123' });
    expect(change.status).toBe(422);
  });

  it('a password hashed before this change (plain bcrypt) still logs in, and is upgraded', async () => {
    const users = userModel(t.connection);
    await users.create({ username: 'legacy', passwordHash: await bcrypt.hash('old-style-secret', 10) });
    const res = await request(t.app).post('/auth/login').send({ username: 'legacy', password: 'old-style-secret' });
    expect(res.status).toBe(200);
    let upgraded = '';
    for (let i = 0; i < 50 && !upgraded.startsWith('$folio-sha256$'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      upgraded = (await users.findOne({ username: 'legacy' }).lean())?.passwordHash ?? '';
    }
    expect(upgraded.startsWith('$folio-sha256$')).toBe(true);
    expect(
      (await request(t.app).post('/auth/login').send({ username: 'legacy', password: 'old-style-secret' })).status,
    ).toBe(200);
  });
});

describe('inputs bounded where they enter', () => {
  it('a 99 kB username is refused before it is checked or counted', async () => {
    const res = await request(t.app)
      .post('/auth/login')
      .send({ username: 'a'.repeat(99_000), password: 'whatever-it-is' });
    expect(res.status).toBe(422);
    const keys = await t.connection.collection('throttles').distinct('key');
    expect(keys.some((k: string) => k.length > 200)).toBe(false);
  });
});

describe('anonymous sessions one client can create are bounded', () => {
  it('200 cookieless "save for later" posts in a burst create at most 60 sessions; the rest 429 and store nothing', async () => {
    const author = await userModel(t.connection).findOne({ username: 'tess' }).lean();
    const post = await postModel(t.connection).create({
      title: 'Worth saving',
      body: 'Body',
      authorId: author?._id,
      authorName: 'tess',
    });
    const sessions = t.connection.collection(SESSIONS_COLLECTION);
    const before = await sessions.countDocuments();
    const replies = await Promise.all(
      Array.from({ length: 200 }, () =>
        request(t.app).post(`/reading-list/${post._id}`).set('X-Forwarded-For', '192.0.2.77').type('form').send({}),
      ),
    );
    const created = (await sessions.countDocuments()) - before;
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThanOrEqual(60);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(140);
    for (const r of refused) expect(r.headers['set-cookie']).toBeUndefined();
  });
});
