import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestOutboxMail } from '../../src/mail/outbox';
import { type MailApp, STRONG_PASSWORD, startMailApp } from '../recovery/mail-app';
import { csrfTokenFrom } from '../support/http';

/** Issue 25 — after registering with an address: say where the link went, and resend it in one press. */

let t: MailApp;
beforeAll(async () => {
  t = await startMailApp();
});
afterAll(() => t?.close());

async function verifyMailsTo(address: string): Promise<number> {
  await t.mailer.idle();
  return (await latestOutboxMail(t.connection, 200)).filter((m) => m.to === address && m.subject.includes('Confirm'))
    .length;
}

describe('address confirmation', () => {
  it('the flash names the address; the banner and the Email page resend the link in one press', async () => {
    const agent = request.agent(t.app);
    const registered = await agent
      .post('/auth/register')
      .type('form')
      .send({ username: 'newbie', password: STRONG_PASSWORD, email: 'newbie@example.com' });
    expect(registered.status).toBe(303);
    const landing = await agent.get(registered.headers.location as string);
    expect(landing.text).toContain('We sent a link to newbie@example.com: follow it to confirm your address.');
    expect(await verifyMailsTo('newbie@example.com')).toBe(1);

    // The banner on account pages names the address and resends without retyping anything.
    const devices = await agent.get('/account/sessions').expect(200);
    expect(devices.text).toContain('Confirm <strong>newbie@example.com</strong>: we mailed a link to it.');
    expect(devices.text).not.toContain('Add an address');
    const resent = await agent
      .post('/account/email/resend')
      .type('form')
      .send({ _csrf: csrfTokenFrom(devices.text), returnTo: '/account/sessions' });
    expect(resent.status).toBe(303);
    expect(resent.headers.location).toBe('/account/sessions');
    expect(await verifyMailsTo('newbie@example.com')).toBe(2);
    expect((await agent.get('/account/sessions')).text).toContain(
      'We sent a new confirmation link to newbie@example.com',
    );

    // The Email page has the same one-press button.
    const page = await agent.get('/account/email').expect(200);
    expect(page.text).toContain('Resend the link to newbie@example.com');
    await agent
      .post('/account/email/resend')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) })
      .expect(303);
    expect(await verifyMailsTo('newbie@example.com')).toBe(3);
  });

  it('is throttled like every confirmation mail, needs the CSRF token, and goes nowhere but the account’s page', async () => {
    const agent = request.agent(t.app);
    await agent
      .post('/auth/register')
      .type('form')
      .send({ username: 'eager', password: STRONG_PASSWORD, email: 'eager@example.com' })
      .expect(303);
    const token = csrfTokenFrom((await agent.get('/account/email')).text);
    await agent.post('/account/email/resend').type('form').send({}).expect(403);
    const off = await agent
      .post('/account/email/resend')
      .type('form')
      .send({ _csrf: token, returnTo: 'https://evil.example/' });
    expect(off.headers.location).toBe('/account/email');
    for (let i = 0; i < 10; i++) {
      await agent.post('/account/email/resend').type('form').send({ _csrf: token }).expect(303);
    }
    // Three an hour per address (DEFAULT_MAIL_LIMITS.perAddress), however often it is pressed.
    expect(await verifyMailsTo('eager@example.com')).toBe(3);
  });

  it('an account without an address is told to add one', async () => {
    const agent = request.agent(t.app);
    await agent
      .post('/auth/register')
      .type('form')
      .send({ username: 'noaddress', password: STRONG_PASSWORD })
      .expect(303);
    const page = await agent.get('/account/sessions');
    expect(page.text).toContain('Add an address');
    const res = await agent
      .post('/account/email/resend')
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) });
    expect(res.status).toBe(409);
  });
});
