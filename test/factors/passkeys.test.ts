import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/factors/totp';
import { type Agent, type MailApp, STRONG_PASSWORD, startMailApp } from '../recovery/mail-app';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { eventsOf, registerWithVerifiedAddress, sessionCookieValue } from './factors-helpers';
import { SoftAuthenticator } from './soft-authenticator';

/**
 * Issue 16 — passkeys on the server: real WebAuthn responses from a software authenticator (node:crypto
 * ES256 keys), verified by @simplewebauthn/server. Replays, foreign origins, cloned counters and removed
 * passkeys are refused; adding and removing need sudo, are logged and mailed.
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

const RP_ID = 'folio.example';
const ORIGIN = 'https://folio.example';

async function addPasskey(agent: Agent, authenticator: SoftAuthenticator, name?: string) {
  const options = await agent.post('/account/passkeys/options').send({});
  expect(options.status).toBe(200);
  expect(options.body.rp).toEqual({ name: 'Folio', id: RP_ID });
  expect(options.body.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
  const response = authenticator.register(options.body);
  return agent.post('/account/passkeys').send(name ? { response, name } : { response });
}

/** Asks for a sign-in challenge as the login page's script does. */
async function signInChallenge(agent: Agent): Promise<string> {
  const res = await agent.post('/auth/passkey/options').send({});
  expect(res.status).toBe(200);
  expect(res.body.options.rpId).toBe(RP_ID);
  expect(typeof res.body.csrfToken).toBe('string');
  return res.body.options.challenge as string;
}

describe('passkeys', () => {
  let owner: Agent;
  const key = new SoftAuthenticator(RP_ID, ORIGIN);
  beforeAll(async () => {
    owner = await registerWithVerifiedAddress(t, 'petra');
  });

  it('adding one: listed with name, created and last used; logged and mailed', async () => {
    const res = await addPasskey(owner, key, 'Work laptop');
    expect(res.status).toBe(201);
    const list = await owner.get('/account/passkeys').set('Accept', 'application/json');
    expect(list.body.passkeys).toHaveLength(1);
    expect(list.body.passkeys[0]).toMatchObject({ id: key.credentialId, name: 'Work laptop', lastUsedAt: null });
    expect((await eventsOf(owner)).map((e) => e.type)).toContain('passkey_added');
    await smtp.waitFor((m) => m.to.includes('petra@example.com') && /passkey added/i.test(m.subject));
    // A challenge is single use: the same registration again is refused.
    const stale = new SoftAuthenticator(RP_ID, ORIGIN).register({ challenge: 'eA', user: { id: 'eQ' } });
    const again = await owner.post('/account/passkeys').send({ response: stale });
    expect(again.status).toBe(409);
  });

  it('signs in: a full sign-in on a new session id; the counter and last use are stored', async () => {
    const agent = request.agent(t.app);
    const challenge = await signInChallenge(agent);
    const before = sessionCookieValue(await agent.get('/auth/login'));
    const res = await agent.post('/auth/passkey').send({ response: key.assert(challenge), next: '/drafts' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Logged in', redirect: '/drafts' });
    expect(sessionCookieValue(res)).toBeDefined();
    expect(sessionCookieValue(res)).not.toBe(before);
    expect((await agent.get('/auth/profile')).body.user.username).toBe('petra');
    const signedIn = (await eventsOf(agent)).find((e) => e.type === 'signed_in');
    expect(signedIn?.details).toMatchObject({ method: 'passkey' });
    const stored = await t.connection.collection('passkeys').findOne({ credentialId: key.credentialId });
    expect(stored?.counter).toBe(key.counter);
    expect(stored?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('a replayed assertion is refused (same challenge, and against a fresh challenge)', async () => {
    const agent = request.agent(t.app);
    const challenge = await signInChallenge(agent);
    const recorded = key.assert(challenge);
    expect((await agent.post('/auth/passkey').send({ response: recorded })).status).toBe(200);
    const thief = request.agent(t.app);
    // The recorded answer, sent again: no challenge is waiting in this session…
    const bare = await thief.post('/auth/passkey').send({ response: recorded });
    expect(bare.status).toBe(401);
    expect(bare.body).toEqual({ error: 'Passkey not accepted' });
    // …and with a fresh challenge waiting, the old answer does not match it.
    await signInChallenge(thief);
    expect((await thief.post('/auth/passkey').send({ response: recorded })).status).toBe(401);
    expect((await thief.get('/auth/profile')).status).toBe(401);
  });

  it('the same assertion twice at once from one session (both read its challenge): exactly one sign-in', async () => {
    const agent = request.agent(t.app);
    const challenge = await signInChallenge(agent);
    const response = key.assert(challenge);
    const results = await Promise.all([
      agent.post('/auth/passkey').send({ response }),
      agent.post('/auth/passkey').send({ response }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('an assertion made for another origin is refused', async () => {
    const agent = request.agent(t.app);
    const challenge = await signInChallenge(agent);
    const phished = key.assert(challenge, { origin: 'https://folio.example.evil.test' });
    expect((await agent.post('/auth/passkey').send({ response: phished })).status).toBe(401);
    expect((await agent.get('/auth/profile')).status).toBe(401);
    // A registration made on another origin is refused too.
    const options = await owner.post('/account/passkeys/options').send({});
    const foreign = new SoftAuthenticator(RP_ID, 'https://evil.example').register(options.body);
    expect((await owner.post('/account/passkeys').send({ response: foreign })).status).toBe(400);
  });

  it('a counter going back is refused and logged as a suspected clone', async () => {
    const agent = request.agent(t.app);
    const challenge = await signInChallenge(agent);
    const cloned = key.assert(challenge, { counter: 1 });
    const res = await agent.post('/auth/passkey').send({ response: cloned });
    expect(res.status).toBe(401);
    expect((await agent.get('/auth/profile')).status).toBe(401);
    expect((await eventsOf(owner)).map((e) => e.type)).toContain('passkey_clone_suspected');
  });

  it('renaming, then removing: a removed passkey no longer signs in; logged and mailed', async () => {
    const list = await owner.get('/account/passkeys').set('Accept', 'application/json');
    const id = list.body.passkeys[0].id as string;
    expect((await owner.post(`/account/passkeys/${id}/rename`).send({ name: 'Old laptop' })).status).toBe(200);
    expect((await owner.get('/account/passkeys').set('Accept', 'application/json')).body.passkeys[0].name).toBe(
      'Old laptop',
    );
    expect((await owner.post(`/account/passkeys/${id}/remove`).send({})).status).toBe(200);
    expect((await eventsOf(owner)).map((e) => e.type)).toContain('passkey_removed');
    await smtp.waitFor((m) => m.to.includes('petra@example.com') && /passkey removed/i.test(m.subject));
    const agent = request.agent(t.app);
    const challenge = await signInChallenge(agent);
    expect((await agent.post('/auth/passkey').send({ response: key.assert(challenge) })).status).toBe(401);
    expect((await agent.get('/auth/profile')).status).toBe(401);
  });

  it('another user cannot rename or remove my passkey', async () => {
    const mine = new SoftAuthenticator(RP_ID, ORIGIN);
    expect((await addPasskey(owner, mine)).status).toBe(201);
    const mallory = await registerWithVerifiedAddress(t, 'mallory');
    expect((await mallory.post(`/account/passkeys/${mine.credentialId}/remove`).send({})).status).toBe(404);
    expect((await mallory.post(`/account/passkeys/${mine.credentialId}/rename`).send({ name: 'x' })).status).toBe(404);
    expect((await owner.get('/account/passkeys').set('Accept', 'application/json')).body.passkeys).toHaveLength(1);
  });
});

describe('sudo: with REAUTH_MINUTES=0 every factor change needs a fresh password', () => {
  let strict: MailApp;
  beforeAll(async () => {
    strict = await startMailApp({ smtp, env: { REAUTH_MINUTES: '0' } });
  });
  afterAll(() => strict?.close());

  async function confirm(agent: Agent) {
    expect((await agent.post('/account/confirm').send({ password: STRONG_PASSWORD })).status).toBe(200);
  }

  it('adding and removing a passkey, turning codes on and off: refused without, done with a confirmation', async () => {
    const agent = await registerWithVerifiedAddress(strict, 'sudoer');
    const key = new SoftAuthenticator(RP_ID, ORIGIN);
    const refused = { error: 'Reauthentication required' };

    const noOptions = await agent.post('/account/passkeys/options').send({});
    expect(noOptions.status).toBe(401);
    expect(noOptions.body).toEqual(refused);
    // Without options there is no challenge: nothing can be added.
    expect(
      (await agent.post('/account/passkeys').send({ response: key.register({ challenge: 'abc', user: { id: 'x' } }) }))
        .status,
    ).toBe(409);
    await confirm(agent);
    expect((await addPasskey(agent, key)).status).toBe(201);

    const noRemove = await agent.post(`/account/passkeys/${key.credentialId}/remove`).send({});
    expect(noRemove.status).toBe(401);
    expect(noRemove.body).toEqual(refused);
    expect((await agent.get('/account/passkeys').set('Accept', 'application/json')).body.passkeys).toHaveLength(1);
    await confirm(agent);
    expect((await agent.post(`/account/passkeys/${key.credentialId}/remove`).send({})).status).toBe(200);

    const secret = (await agent.get('/account/two-factor').set('Accept', 'application/json')).body.secret as string;
    const noEnable = await agent.post('/account/two-factor/enable').send({ code: totpCode(secret, strict.clock.now) });
    expect(noEnable.status).toBe(401);
    expect(noEnable.body).toEqual(refused);
    await confirm(agent);
    expect(
      (await agent.post('/account/two-factor/enable').send({ code: totpCode(secret, strict.clock.now) })).status,
    ).toBe(200);
    strict.clock.now += 30_000;
    const noDisable = await agent
      .post('/account/two-factor/disable')
      .send({ code: totpCode(secret, strict.clock.now) });
    expect(noDisable.status).toBe(401);
    expect(noDisable.body).toEqual(refused);
    const noCodes = await agent.post('/account/two-factor/recovery-codes').send({});
    expect(noCodes.status).toBe(401);
    await confirm(agent);
    expect(
      (await agent.post('/account/two-factor/disable').send({ code: totpCode(secret, strict.clock.now) })).status,
    ).toBe(200);

    // A browser is sent to "Confirm your password", and back to the page of the action afterwards.
    const page = await agent.get('/account/passkeys');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const form = await agent.post('/account/two-factor/recovery-codes').type('form').send({ _csrf: csrf });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/account/confirm?next=%2Faccount%2Ftwo-factor%2Frecovery-codes');
    const back = await agent.get('/account/two-factor/recovery-codes');
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/account/two-factor');
  });
});
