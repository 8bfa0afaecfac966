import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/factors/totp';
import { type Agent, type MailApp, startMailApp } from '../recovery/mail-app';
import { expectValidHtml } from '../support/app';
import { registerWithVerifiedAddress } from './factors-helpers';
import { SoftAuthenticator } from './soft-authenticator';

/** Issue 16 — every new page passes html-validate (recommended), in each of its states. */

let t: MailApp;
beforeAll(async () => {
  t = await startMailApp();
});
afterAll(() => t?.close());

const expectValid = (res: request.Response, status = 200) => expectValidHtml(res, { status });

describe('passkey and two-factor pages are valid HTML', () => {
  let agent: Agent;
  let secret: string;
  beforeAll(async () => {
    agent = await registerWithVerifiedAddress(t, 'valid');
  });

  it('the login page (with the passkey button) and the passkeys page, empty and with passkeys', async () => {
    await expectValid(await request(t.app).get('/auth/login'));
    await expectValid(await agent.get('/account/passkeys'));
    const options = await agent.post('/account/passkeys/options').send({});
    const response = new SoftAuthenticator('folio.example', 'https://folio.example').register(options.body);
    expect((await agent.post('/account/passkeys').send({ response, name: 'A <b>bold</b> "key"' })).status).toBe(201);
    const page = await agent.get('/account/passkeys');
    expect(page.text).toContain('A &lt;b&gt;bold&lt;/b&gt; &#34;key&#34;');
    await expectValid(page);
    const id = (await agent.get('/account/passkeys').set('Accept', 'application/json')).body.passkeys[0].id;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    await expectValid(
      await agent.post(`/account/passkeys/${id}/rename`).type('form').send({ _csrf: csrf, name: ' ' }),
      422,
    );
  });

  it('two-factor: setup, a wrong code, the recovery codes, on', async () => {
    const setup = await agent.get('/account/two-factor');
    await expectValid(setup);
    secret = (await agent.get('/account/two-factor').set('Accept', 'application/json')).body.secret;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(setup.text)?.[1];
    await expectValid(
      await agent.post('/account/two-factor/enable').type('form').send({ _csrf: csrf, code: '12' }),
      422,
    );
    await expectValid(
      await agent
        .post('/account/two-factor/enable')
        .type('form')
        .send({ _csrf: csrf, code: totpCode(secret, t.clock.now) }),
    );
    await expectValid(await agent.get('/account/two-factor'));
    t.clock.now += 30_000;
  });

  it('the second step: the form, a wrong code, paused', async () => {
    const visitor = request.agent(t.app);
    expect(
      (
        await visitor
          .post('/auth/login')
          .type('form')
          .send({ username: 'valid', password: 'ochre kettle on the windowsill' })
      ).status,
    ).toBe(303);
    const page = await visitor.get('/auth/two-factor');
    await expectValid(page);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    let last: request.Response | undefined;
    // Ten wrong codes on the account, then the eleventh is refused (issue 19).
    for (let i = 0; i < 11; i++)
      last = await visitor.post('/auth/two-factor').type('form').send({ _csrf: csrf, code: '000000' });
    await expectValid(await visitor.post('/auth/two-factor').type('form').send({ _csrf: csrf, code: '' }), 422);
    if (!last) throw new Error('no response');
    expect(last.status).toBe(429);
    await expectValid(last, 429);
  });
});
