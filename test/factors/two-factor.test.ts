import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/factors/totp';
import {
  type Agent,
  login,
  type MailApp,
  NEW_PASSWORD,
  PUBLIC_URL,
  pathOf,
  STRONG_PASSWORD,
  startMailApp,
} from '../recovery/mail-app';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { eventsOf, registerWithVerifiedAddress, sessionCookieValue, storedSession } from './factors-helpers';

/**
 * Issue 16 — authenticator codes (TOTP) and recovery codes, against a real mongod and a real SMTP server,
 * with the app's clock under the test's control (codes are computed for the app's "now").
 */

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

const STEP = 30_000;

/** Turns codes on for a signed-in agent; returns the secret and the ten recovery codes. */
async function enableCodes(agent: Agent): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await agent.get('/account/two-factor').set('Accept', 'application/json');
  expect(setup.body.enabled).toBe(false);
  const secret = setup.body.secret as string;
  const res = await agent.post('/account/two-factor/enable').send({ code: totpCode(secret, t.clock.now) });
  expect(res.status).toBe(200);
  // The next code must come from a later time-step: the one used to turn codes on is spent.
  t.clock.now += STEP;
  return { secret, recoveryCodes: res.body.recoveryCodes as string[] };
}

/** Logs in with the password and stops at the second step (202). */
async function passwordStep(username: string): Promise<{ agent: Agent; cookie: string | undefined }> {
  const agent = request.agent(t.app);
  const res = await login(agent, username);
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ twoFactorRequired: true });
  return { agent, cookie: sessionCookieValue(res) };
}

describe('turning authenticator codes on', () => {
  it('needs one valid code, then shows ten recovery codes once; logged and mailed', async () => {
    const agent = await registerWithVerifiedAddress(t, 'tessa');
    const setup = await agent.get('/account/two-factor').set('Accept', 'application/json');
    const secret = setup.body.secret as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Folio:tessa\?/);
    // The page shows the QR (a server-rendered data URL) and the key for manual entry.
    const page = await agent.get('/account/two-factor');
    expect(page.text).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    expect(page.text.replace(/\s/g, '')).toContain(secret);

    const wrong = totpCode(secret, t.clock.now + 10 * STEP);
    expect((await agent.post('/account/two-factor/enable').send({ code: wrong })).status).toBe(422);
    expect((await agent.post('/account/two-factor/enable').send({ code: '' })).status).toBe(422);
    expect((await agent.get('/account/two-factor').set('Accept', 'application/json')).body.enabled).toBe(false);

    const res = await agent.post('/account/two-factor/enable').send({ code: totpCode(secret, t.clock.now) });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    const codes = res.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // Stored hashed: no plain code anywhere in the database.
    const stored = JSON.stringify(await t.connection.collection('two_factor').findOne({}));
    for (const code of codes) expect(stored).not.toContain(code);
    const after = await agent.get('/account/two-factor').set('Accept', 'application/json');
    expect(after.body).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    expect((await agent.get('/account/two-factor')).text).not.toContain(codes[0]);

    expect((await eventsOf(agent)).map((e) => e.type)).toContain('two_factor_enabled');
    const mail = await smtp.waitFor(
      (m) => m.to.includes('tessa@example.com') && /authenticator codes turned on/i.test(m.subject),
    );
    expect(mail.text).toContain('Authenticator codes turned on');
    expect(mail.text).toContain('https://folio.example/account/security');
  });
});

describe('the second step at sign-in', () => {
  let secret: string;

  beforeAll(async () => {
    const agent = await registerWithVerifiedAddress(t, 'step');
    ({ secret } = await enableCodes(agent));
  });

  it('stops after the password with no signed-in session; the right code signs in on a new session id', async () => {
    const { agent, cookie } = await passwordStep('step');
    // Not signed in: the profile refuses, and the stored session holds no user — only the pending step.
    expect((await agent.get('/auth/profile')).status).toBe(401);
    const pending = await storedSession(t, cookie);
    expect(pending?.user).toBeUndefined();
    expect(pending?.pendingSecondStep).toMatchObject({ username: 'step' });
    // Nor does any account page open.
    expect((await agent.get('/account/sessions').set('Accept', 'application/json')).status).toBe(401);

    const res = await agent.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Logged in' });
    const signedIn = sessionCookieValue(res);
    expect(signedIn).toBeDefined();
    expect(signedIn).not.toBe(cookie);
    expect(await storedSession(t, cookie)).toBeNull();
    expect((await agent.get('/auth/profile')).body.user.username).toBe('step');

    // The same code again, from another browser that knows the password: refused.
    const again = await passwordStep('step');
    const replay = await again.agent.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) });
    expect(replay.status).toBe(401);
    expect((await again.agent.get('/auth/profile')).status).toBe(401);
    t.clock.now += STEP;
  });

  it('the same code twice at the same moment: exactly one sign-in', async () => {
    const a = await passwordStep('step');
    const b = await passwordStep('step');
    const code = totpCode(secret, t.clock.now);
    const results = await Promise.all([a, b].map((x) => x.agent.post('/auth/two-factor').send({ code })));
    expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([200, 401]);
    t.clock.now += STEP;
  });

  it('a browser form: 303 to the second step, then to `next`, signed in', async () => {
    const agent = request.agent(t.app);
    const form = await agent
      .post('/auth/login')
      .type('form')
      .send({ username: 'step', password: STRONG_PASSWORD, next: '/drafts' });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/auth/two-factor');
    const page = await agent.get('/auth/two-factor');
    expect(page.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    expect(csrf).toBeDefined();
    const wrong = await agent.post('/auth/two-factor').type('form').send({ _csrf: csrf, code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That code is not right');
    const res = await agent
      .post('/auth/two-factor')
      .type('form')
      .send({ _csrf: csrf, code: totpCode(secret, t.clock.now) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/drafts');
    expect((await agent.get('/auth/profile')).body.user.username).toBe('step');
    t.clock.now += STEP;
  });

  it('ten wrong codes on the account → 429, even for the right code (issue 19: counted per account)', async () => {
    const { agent } = await passwordStep('step');
    const right = totpCode(secret, t.clock.now);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let i = 0; i < 10; i++) {
      expect((await agent.post('/auth/two-factor').send({ code: wrong })).status).toBe(401);
    }
    const eleventh = await agent.post('/auth/two-factor').send({ code: right });
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(0);
    expect((await agent.get('/auth/profile')).status).toBe(401);
  });

  it('a second step cannot be skipped or outlive its window', async () => {
    const anonymous = request.agent(t.app);
    expect((await anonymous.post('/auth/two-factor').send({ code: '123456' })).status).toBe(401);
  });
});

describe('recovery codes', () => {
  it('a recovery code signs in once and only once; its use is logged and mailed', async () => {
    const owner = await registerWithVerifiedAddress(t, 'rescue');
    const { recoveryCodes } = await enableCodes(owner);
    const code = recoveryCodes[3] ?? '';
    const first = await passwordStep('rescue');
    // Typed in capitals with spaces: still the same code.
    const ok = await first.agent.post('/auth/two-factor').send({ code: ` ${code.toUpperCase()} ` });
    expect(ok.status).toBe(200);
    expect((await first.agent.get('/auth/profile')).body.user.username).toBe('rescue');
    const events = await eventsOf(first.agent);
    expect(events.find((e) => e.type === 'recovery_code_used')?.details).toMatchObject({ left: 9 });
    await smtp.waitFor((m) => m.to.includes('rescue@example.com') && /recovery code was used/i.test(m.subject));

    const second = await passwordStep('rescue');
    expect((await second.agent.post('/auth/two-factor').send({ code })).status).toBe(401);
    expect((await second.agent.get('/auth/profile')).status).toBe(401);
    // Another, unused code still works; then regenerating voids every old one.
    expect((await second.agent.post('/auth/two-factor').send({ code: recoveryCodes[4] })).status).toBe(200);
    // A recovery-code sign-in grants no sudo (issue 19): the password is asked for first.
    expect((await second.agent.post('/account/two-factor/recovery-codes').send({})).status).toBe(401);
    expect((await second.agent.post('/account/confirm').send({ password: STRONG_PASSWORD })).status).toBeLessThan(400);
    const fresh = await second.agent.post('/account/two-factor/recovery-codes').send({});
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    expect((await eventsOf(second.agent)).map((e) => e.type)).toContain('recovery_codes_regenerated');
    await smtp.waitFor((m) => m.to.includes('rescue@example.com') && /new recovery codes/i.test(m.subject));
    const third = await passwordStep('rescue');
    expect((await third.agent.post('/auth/two-factor').send({ code: recoveryCodes[5] })).status).toBe(401);
    expect((await third.agent.post('/auth/two-factor').send({ code: fresh.body.recoveryCodes[0] })).status).toBe(200);
  });
});

describe('clock drift', () => {
  it('a code one step off either way is accepted; two steps off is refused', async () => {
    const owner = await registerWithVerifiedAddress(t, 'drift');
    const { secret } = await enableCodes(owner);
    t.clock.now += 10 * STEP;
    const { agent } = await passwordStep('drift');
    expect((await agent.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now - 2 * STEP) })).status).toBe(
      401,
    );
    expect((await agent.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now + 2 * STEP) })).status).toBe(
      401,
    );
    expect((await agent.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now - STEP) })).status).toBe(
      200,
    );

    t.clock.now += 10 * STEP;
    const later = await passwordStep('drift');
    expect(
      (await later.agent.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now + STEP) })).status,
    ).toBe(200);
  });
});

describe('turning codes off', () => {
  it('needs a valid code; logged and mailed; sign-in is one step again', async () => {
    const owner = await registerWithVerifiedAddress(t, 'offish');
    const { secret } = await enableCodes(owner);
    expect((await owner.post('/account/two-factor/disable').send({ code: '' })).status).toBe(422);
    expect(
      (await owner.post('/account/two-factor/disable').send({ code: totpCode(secret, t.clock.now + 5 * STEP) })).status,
    ).toBe(422);
    expect((await owner.get('/account/two-factor').set('Accept', 'application/json')).body.enabled).toBe(true);
    const res = await owner.post('/account/two-factor/disable').send({ code: totpCode(secret, t.clock.now) });
    expect(res.status).toBe(200);
    expect((await eventsOf(owner)).map((e) => e.type)).toContain('two_factor_disabled');
    await smtp.waitFor((m) => m.to.includes('offish@example.com') && /turned off/i.test(m.subject));
    const res2 = await login(request.agent(t.app), 'offish');
    expect(res2.status).toBe(200);
    expect(res2.body).toEqual({ message: 'Logged in' });
  });

  it('a password reset does not remove the second factor', async () => {
    const owner = await registerWithVerifiedAddress(t, 'resetter');
    const { secret } = await enableCodes(owner);
    expect((await request(t.app).post('/auth/forgot').send({ email: 'resetter@example.com' })).status).toBe(202);
    const mail = await smtp.waitFor((m) => m.to.includes('resetter@example.com') && /reset/i.test(m.subject));
    const link = linkIn(mail.text, `${PUBLIC_URL}/auth/reset/`);
    const done = await request(t.app)
      .post(pathOf(link))
      .type('form')
      .send({ password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.status).toBe(303);
    // The new password leads to the second step, as the old one did: codes are still needed.
    const agent = request.agent(t.app);
    const res = await login(agent, 'resetter', NEW_PASSWORD);
    expect(res.status).toBe(202);
    expect((await agent.get('/auth/profile')).status).toBe(401);
    expect((await agent.post('/auth/two-factor').send({ code: totpCode(secret, t.clock.now) })).status).toBe(200);
  });

  it('the tutorial’s JSON sequence is unchanged for an account without codes', async () => {
    const agent = request.agent(t.app);
    await registerWithVerifiedAddress(t, 'plain');
    expect((await login(agent, 'plain')).body).toEqual({ message: 'Logged in' });
    expect((await agent.get('/auth/profile')).body.user.username).toBe('plain');
  });
});
