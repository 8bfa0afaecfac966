import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/factors/totp';
import { SoftAuthenticator } from '../factors/soft-authenticator';
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
import { sessionCookieValue } from '../support/http';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../support/smtp-server';

/**
 * Issue 19: the sign-in findings, each performed as an attacker would against the running app (real mongod,
 * real SMTP server, default sign-in limits). Every test here failed on 3bf7dfd.
 */

let smtp: TestSmtpServer;
let t: AttackApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startAttackApp(smtp);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

async function closeAccount(owner: Agent): Promise<void> {
  const res = await owner.post('/account/delete').send({ password: ATTACK_PASSWORD });
  expect(res.status, res.text).toBe(200);
}

async function changePassword(owner: Agent): Promise<void> {
  const res = await owner
    .post('/account/password')
    .send({ currentPassword: ATTACK_PASSWORD, newPassword: ATTACK_NEW_PASSWORD, confirmPassword: ATTACK_NEW_PASSWORD });
  expect(res.status, res.text).toBe(200);
}

describe('finding 1: "Keep my account" goes back through the gates', () => {
  it('an account with codes, closed: the password alone and "keep my account" do not sign in', async () => {
    const owner = await registerVerified(t, 'keeper');
    await enableCodes(t, owner);
    await closeAccount(owner);

    const attacker = request.agent(t.app);
    const closed = await loginJson(attacker, 'keeper');
    expect(closed.status).toBe(403);
    const restore = await attacker.post('/auth/restore').send({});
    // The deletion is cancelled (the password was right), but the code is still asked for.
    expect(restore.status, restore.text).toBe(202);
    expect(restore.body).toEqual({ twoFactorRequired: true });
    expect((await attacker.get('/auth/profile')).status).toBe(401);
    expect((await attacker.get('/account/export').set('Accept', 'application/json')).status).toBe(401);
    const user = await t.connection.collection('users').findOne({ username: 'keeper' });
    expect(user?.deletedAt).toBeUndefined();
  });

  it('an account without codes: "keep my account" signs in, but grants no sudo', async () => {
    const owner = await registerVerified(t, 'keeper2');
    await closeAccount(owner);
    const visitor = request.agent(t.app);
    expect((await loginJson(visitor, 'keeper2')).status).toBe(403);
    const restore = await visitor.post('/auth/restore').send({});
    expect(restore.status).toBe(200);
    expect((await visitor.get('/auth/profile')).body.user.username).toBe('keeper2');
    const exported = await visitor.get('/account/export').set('Accept', 'application/json');
    expect(exported.status).toBe(401);
    expect(exported.body).toEqual({ error: 'Reauthentication required' });
  });
});

describe('finding 2: wrong codes are counted per account', () => {
  it('rounds of (right password, 4 wrong codes) reach the per-account limit: 429, logged, owner mailed', async () => {
    const owner = await registerVerified(t, 'guessed');
    const { secret } = await enableCodes(t, owner);
    const attacker = request.agent(t.app);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let round = 0; round < 3; round++) {
      expect((await loginJson(attacker, 'guessed')).status).toBe(202);
      for (let i = 0; i < 4; i++) {
        const res = await attacker.post('/auth/two-factor').send({ code: '000000' });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers['retry-after'];
      }
    }
    // Ten wrong codes are checked; the eleventh and twelfth are refused unchecked.
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(3000);
    // Even the right code waits now (from the password step of a new round).
    expect((await loginJson(attacker, 'guessed')).status).toBe(202);
    const right = await attacker.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) });
    expect(right.status).toBe(429);
    const events = (await owner.get('/account/security').set('Accept', 'application/json')).body.events as {
      type: string;
    }[];
    expect(events.map((e) => e.type)).toContain('second_factor_locked');
    const mail = await smtp.waitFor((m) => m.to.includes('guessed@example.com') && /password/i.test(m.subject));
    expect(mail.text).toMatch(/someone has your password/i);
  });

  it('many wrong codes in flight at once cannot exceed the limit', async () => {
    const owner = await registerVerified(t, 'raced');
    await enableCodes(t, owner);
    const attacker = request.agent(t.app);
    expect((await loginJson(attacker, 'raced')).status).toBe(202);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => attacker.post('/auth/two-factor').send({ code: '123456' })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('a right code ends the streak', async () => {
    const owner = await registerVerified(t, 'forgetful');
    const { secret } = await enableCodes(t, owner);
    const visitor = request.agent(t.app);
    expect((await loginJson(visitor, 'forgetful')).status).toBe(202);
    for (let i = 0; i < 9; i++)
      expect((await visitor.post('/auth/two-factor').send({ code: '000000' })).status).toBe(401);
    expect((await visitor.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) })).status).toBe(200);
    t.clock.now += 30_000;
    const again = request.agent(t.app);
    expect((await loginJson(again, 'forgetful')).status).toBe(202);
    for (let i = 0; i < 9; i++)
      expect((await again.post('/auth/two-factor').send({ code: '000000' })).status).toBe(401);
    expect((await again.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) })).status).toBe(200);
    t.clock.now += 30_000;
  });
});

describe('finding 5: a waiting second step is bound to the credentials', () => {
  it('gets a fresh session id, and a password change ends it', async () => {
    const owner = await registerVerified(t, 'pending');
    const { secret } = await enableCodes(t, owner);
    const attacker = request.agent(t.app);
    // An anonymous session first (the passkey button's challenge makes one).
    const before = sessionCookieValue(await attacker.post('/auth/passkey/options').send({}));
    expect(before).toBeDefined();
    const step = await loginJson(attacker, 'pending');
    expect(step.status).toBe(202);
    const during = sessionCookieValue(step);
    expect(during).toBeDefined();
    expect(during).not.toBe(before);

    await changePassword(owner);
    const code = await attacker.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) });
    expect(code.status).not.toBe(200);
    expect((await attacker.get('/auth/profile')).status).toBe(401);
  });

  it('closing the account ends it too', async () => {
    const owner = await registerVerified(t, 'pending2');
    const { secret } = await enableCodes(t, owner);
    const attacker = request.agent(t.app);
    expect((await loginJson(attacker, 'pending2')).status).toBe(202);
    await closeAccount(owner);
    await t.connection
      .collection('users')
      .updateOne({ username: 'pending2' }, { $unset: { deletedAt: 1, purgeAfter: 1 } });
    const code = await attacker.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) });
    expect(code.status).not.toBe(200);
    expect((await attacker.get('/auth/profile')).status).toBe(401);
  });
});

describe('finding 6: a sign-in racing the closure of the account loses', () => {
  it('whatever the delay, no sign-in keeps a working session', async () => {
    const survivors: number[] = [];
    const delays = [0, 10, 20, 30, 40, 50, 60, 80];
    for (const [i, delay] of delays.entries()) {
      const name = `racer${i}`;
      const owner = await registerVerified(t, name);
      const attacker = request.agent(t.app);
      const [, login] = await Promise.all([
        owner.post('/account/delete').send({ password: ATTACK_PASSWORD }),
        sleep(delay).then(() => loginJson(attacker, name)),
      ]);
      if (login.status !== 200) continue;
      const profile = await attacker.get('/auth/profile');
      const post = await attacker.post('/posts').send({ title: 'still here', body: 'posted after closing' });
      if (profile.status === 200 || post.status === 201) survivors.push(delay);
    }
    expect(survivors).toEqual([]);
  });
});

describe('finding 7: passkeys must verify the user', () => {
  it('an assertion without user verification does not sign in', async () => {
    const owner = await registerVerified(t, 'uvcheck');
    const key = new SoftAuthenticator(new URL(ATTACK_PUBLIC_URL).hostname, ATTACK_PUBLIC_URL);
    const options = await owner.post('/account/passkeys/options').send({});
    expect((await owner.post('/account/passkeys').send({ response: key.register(options.body) })).status).toBe(201);

    const attacker = request.agent(t.app);
    const challenge = (await attacker.post('/auth/passkey/options').send({})).body.options;
    const res = await attacker
      .post('/auth/passkey')
      .send({ response: key.assert(challenge.challenge as string, { userVerified: false }) });
    expect(res.status).toBe(401);
    expect((await attacker.get('/auth/profile')).status).toBe(401);

    // With user verification: signed in, and in sudo mode (it proved what the account has).
    const owner2 = request.agent(t.app);
    const challenge2 = (await owner2.post('/auth/passkey/options').send({})).body.options.challenge as string;
    expect((await owner2.post('/auth/passkey').send({ response: key.assert(challenge2) })).status).toBe(200);
    expect((await owner2.get('/account/export').set('Accept', 'application/json')).status).toBe(200);
    // Both ceremonies ask the browser for user verification.
    expect(options.body.authenticatorSelection.userVerification).toBe('required');
    expect(challenge.userVerification).toBe('required');
  });
});

describe('finding 11: "this wasn\'t me" links are void after a password change', () => {
  it('a not-me link mailed before the change no longer works', async () => {
    const owner = await registerVerified(t, 'notme');
    const other = request.agent(t.app);
    expect((await loginJson(other, 'notme')).status).toBe(200);
    const alert = await smtp.waitFor((m) => m.to.includes('notme@example.com') && /new sign-in/i.test(m.subject));
    const link = pathOf(linkIn(alert.text, `${ATTACK_PUBLIC_URL}/account/not-me/`));
    await changePassword(owner);
    const res = await request(t.app).post(link).send({});
    expect([404, 410]).toContain(res.status);
  });
});

describe('the gates of the account', () => {
  it('a suspended account cannot sign in by any way, and is told so', async () => {
    const owner = await registerVerified(t, 'suspended');
    const key = new SoftAuthenticator(new URL(ATTACK_PUBLIC_URL).hostname, ATTACK_PUBLIC_URL);
    const options = await owner.post('/account/passkeys/options').send({});
    expect((await owner.post('/account/passkeys').send({ response: key.register(options.body) })).status).toBe(201);
    await t.connection.collection('users').updateOne({ username: 'suspended' }, { $set: { suspendedAt: new Date() } });

    const visitor = request.agent(t.app);
    const password = await loginJson(visitor, 'suspended');
    expect(password.status).toBe(403);
    expect(password.body.error).toMatch(/suspended/i);
    const challenge = (await visitor.post('/auth/passkey/options').send({})).body.options.challenge as string;
    const passkey = await visitor.post('/auth/passkey').send({ response: key.assert(challenge) });
    expect(passkey.status).toBe(403);
    expect((await visitor.get('/auth/profile')).status).toBe(401);
  });

  it('a completed password reset ends the wrong-code streak; the pause holds until then', async () => {
    const owner = await registerVerified(t, 'resetter');
    const { secret } = await enableCodes(t, owner);
    const attacker = request.agent(t.app);
    expect((await loginJson(attacker, 'resetter')).status).toBe(202);
    for (let i = 0; i < 10; i++) await attacker.post('/auth/two-factor').send({ code: '000000' });
    expect((await attacker.post('/auth/two-factor').send({ code: '000000' })).status).toBe(429);

    expect((await request(t.app).post('/auth/forgot').send({ email: 'resetter@example.com' })).status).toBe(202);
    const mail = await smtp.waitFor((m) => m.to.includes('resetter@example.com') && /reset/i.test(m.subject));
    const link = pathOf(linkIn(mail.text, `${ATTACK_PUBLIC_URL}/auth/reset/`));
    expect((await request(t.app).post(link).send({ password: ATTACK_NEW_PASSWORD })).status).toBe(200);

    const owner2 = request.agent(t.app);
    expect((await loginJson(owner2, 'resetter', ATTACK_NEW_PASSWORD)).status).toBe(202);
    const code = await owner2.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) });
    expect(code.status).toBe(200);
    t.clock.now += 30_000;
  });
});
