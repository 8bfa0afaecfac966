import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/factors/totp';
import { registerWithVerifiedAddress } from '../factors/factors-helpers';
import { type Agent, type MailApp, STRONG_PASSWORD, startMailApp } from '../recovery/mail-app';
import { csrfTokenFrom } from '../support/http';

/** Issue 25 — two-factor on a phone: the otpauth link, number pads, recovery codes to copy, download, print. */

let t: MailApp;
let agent: Agent;
beforeAll(async () => {
  t = await startMailApp();
  agent = await registerWithVerifiedAddress(t, 'phoney');
});
afterAll(() => t?.close());

describe('two-factor on a phone', () => {
  it('setup offers "Open in authenticator app" (the otpauth:// URI, escaped) beside the QR code', async () => {
    const page = await agent.get('/account/two-factor').expect(200);
    const { otpauthUri } = (await agent.get('/account/two-factor').set('Accept', 'application/json')).body;
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const link = /<a class="button" href="([^"]+)">Open in authenticator app<\/a>/.exec(page.text)?.[1];
    expect(link?.replace(/&amp;/g, '&').replace(/&#61;/g, '=')).toBe(otpauthUri);
    expect(page.text).toMatch(/<img src="data:image\/[a-z+]+;base64,[^"]+" width="200" height="200" alt="QR code/);
    expect(page.text).toMatch(/id="field-code"[^>]*autocomplete="one-time-code" inputmode="numeric"/);
  });

  it('the recovery codes page has Copy all, Download (.txt) and Print, and no code in any URL', async () => {
    const setup = await agent.get('/account/two-factor');
    const secret = (await agent.get('/account/two-factor').set('Accept', 'application/json')).body.secret;
    const res = await agent
      .post('/account/two-factor/enable')
      .type('form')
      .send({ _csrf: csrfTokenFrom(setup.text), code: totpCode(secret, t.clock.now) })
      .expect(200);
    t.clock.now += 30_000;
    expect(res.headers['cache-control']).toBe('no-store');
    const codes = [...res.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1] ?? '');
    expect(codes).toHaveLength(10);
    expect(res.text).toContain(
      '<button type="button" class="button button--quiet" data-recovery-copy>Copy all</button>',
    );
    expect(res.text).toMatch(
      /data-recovery-download data-filename="folio-recovery-codes-phoney\.txt">Download \(\.txt\)</,
    );
    expect(res.text).toContain('data-recovery-print>Print</button>');
    // The codes appear as text only: in no href, src, action or data- attribute.
    for (const code of codes) {
      expect(res.text.split(code)).toHaveLength(2);
      expect(res.text).toContain(`<code>${code}</code>`);
    }
  });

  it('the sign-in code field is a number pad; recovery codes have their own text field', async () => {
    const visitor = request.agent(t.app);
    await visitor
      .post('/auth/login')
      .type('form')
      .send({ username: 'phoney', password: STRONG_PASSWORD, timeZone: 'Europe/Berlin' })
      .expect(303);
    const page = await visitor.get('/auth/two-factor').expect(200);
    expect(page.text).toMatch(
      /id="field-code" name="code" type="text" value="" autocomplete="one-time-code" inputmode="numeric"/,
    );
    expect(page.text).toMatch(/id="field-recovery-code" name="code" type="text" autocomplete="off"/);
    expect(page.text).toContain('name="timeZone"');
  });
});
