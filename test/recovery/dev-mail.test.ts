import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFrom } from '../support/http';
import { type MailApp, PUBLIC_URL, pathOf, register, STRONG_PASSWORD, startMailApp } from './mail-app';

describe('development without SMTP_URL: the outbox at /dev/mail', () => {
  let t: MailApp;
  beforeAll(async () => {
    t = await startMailApp(); // no SMTP server: the development outbox
  });
  afterAll(() => t?.close());

  it('shows every mail, newest first, with clickable links under PUBLIC_URL that work', async () => {
    expect(t.mailer.transportKind).toBe('outbox');
    const agent = request.agent(t.app);
    await register(agent, 'devon', 'devon@example.org');
    await t.mailer.idle();

    const page = await request(t.app).get('/dev/mail');
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toBeUndefined();
    const link = /<a href="(https:\/\/folio\.example\/account\/email\/verify\/[A-Za-z0-9_-]{43})">\1<\/a>/.exec(
      page.text,
    )?.[1];
    if (!link) throw new Error(`no clickable verification link on /dev/mail:\n${page.text}`);

    // Following it from the outbox confirms the address.
    await request(t.app).post(pathOf(link)).send({});
    expect((await agent.get('/auth/profile')).body.user).toMatchObject({ emailVerified: true });

    await request(t.app).post('/auth/forgot').send({ email: 'devon@example.org' });
    await t.mailer.idle();
    const json = await request(t.app).get('/dev/mail').set('Accept', 'application/json');
    const subjects = (json.body.mails as { subject: string }[]).map((m) => m.subject);
    expect(subjects).toEqual(['Reset your Folio password', 'Confirm your address for Folio']);
    const newest = (await request(t.app).get('/dev/mail')).text;
    expect(newest.indexOf('Reset your Folio password')).toBeLessThan(newest.indexOf('Confirm your address'));
    expect(newest).toMatch(new RegExp(`<a href="${PUBLIC_URL}/auth/reset/[A-Za-z0-9_-]{43}">`));

    // The HTML part, in a sandbox with a policy of its own (mail HTML needs inline styles, the site forbids them).
    const id = (json.body.mails as { id: string }[])[0]?.id;
    const html = await request(t.app).get(`/dev/mail/${id}/html`);
    expect(html.status).toBe(200);
    expect(html.headers['content-security-policy']).toMatch(/^sandbox/);
    expect(html.headers['content-security-policy']).not.toContain('script');
    expect(html.text).toContain('Choose a new password');
    expect((await request(t.app).get('/dev/mail/nope/html')).status).toBe(404);
  });

  it('the pages link to recovery, and the address page says how to add one', async () => {
    const login = await request(t.app).get('/auth/login');
    expect(login.text).toContain('href="/auth/forgot"');
    const forgot = await request(t.app).get('/auth/forgot');
    expect(forgot.status).toBe(200);
    expect(forgot.text).toContain('name="email"');
    expect(forgot.headers['set-cookie']).toBeUndefined();
  });
});

describe('production without SMTP_URL: mail is off', () => {
  let t: MailApp;
  beforeAll(async () => {
    t = await startMailApp({
      env: {
        NODE_ENV: 'production',
        // Only read by the config here: the test passes its own connection.
        MONGODB_URI: 'mongodb://127.0.0.1:9/unused',
        COOKIE_SECURE: 'false',
        ALLOWED_HOSTS: '127.0.0.1',
      },
    });
  });
  afterAll(() => t?.close());

  it('/dev/mail is a 404', async () => {
    expect(t.config.warnings).toContain(
      'SMTP_URL is not set: mail is off, so password reset and address verification are unavailable',
    );
    for (const path of ['/dev/mail', '/dev/mail/0123456789abcdef01234567/html']) {
      expect((await request(t.app).get(path)).status, path).toBe(404);
    }
  });

  it('the recovery pages say recovery is unavailable instead of pretending to send', async () => {
    const page = await request(t.app).get('/auth/forgot');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Password recovery is not available on this site');
    expect(page.text).not.toContain('name="email"');
    const posted = await request(t.app).post('/auth/forgot').send({ email: 'anyone@example.org' });
    expect(posted.status).toBe(503);
    expect(posted.body.error).toContain('not available');

    const agent = request.agent(t.app);
    await register(agent, 'offgrid', 'offgrid@example.org');
    const account = await agent.get('/account/email');
    expect(account.text).toContain('This site sends no mail');
    const changed = await agent
      .post('/account/email')
      .type('form')
      .send({ _csrf: csrfTokenFrom(account.text), email: 'other@example.org', currentPassword: STRONG_PASSWORD });
    expect(changed.status).toBe(303);
    await t.mailer.idle();
  });
});
