import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOnPage } from './accounts';
import { allViolations } from './axe';
import { releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';
import { readmeShot } from './readme-shots';

/**
 * Issue 16 — passkeys in Chromium, with the DevTools WebAuthn virtual authenticator (CTAP2, internal
 * transport, resident keys, user verification): add one on /account/passkeys, log out, sign in with it from
 * the login page; removed, it no longer signs in. The app runs under PUBLIC_URL http://localhost:<port>
 * (a WebAuthn relying-party id must be a domain, not an IP address), with its real CSP: these contexts do not
 * bypass it, so the scripts are proven to work under `script-src 'self'`.
 */

let browser: Browser;
let t: ServedApp;
let baseUrl: string;

beforeAll(async () => {
  [browser, t] = await Promise.all([sharedBrowser(), serveTestApp({ host: 'localhost' })]);
  baseUrl = t.baseUrl;
});
afterAll(async () => {
  await releaseBrowser(browser);
  await t?.close();
});

const PASSWORD = 'ochre kettle on the windowsill';

/** A platform authenticator that holds passkeys and verifies its user (as Touch ID or Windows Hello would). */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

async function newContext(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 } });
}

describe('passkeys in Chromium', () => {
  it('add a passkey, log out, sign in with it; removed, it no longer signs in', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text());
    });
    const { cdp, authenticatorId } = await virtualAuthenticator(page);

    await registerOnPage(page, baseUrl, 'keyholder', { password: PASSWORD });

    await page.goto(`${baseUrl}/account/passkeys`);
    expect(await page.textContent('main')).toContain('You have no passkeys yet');
    await page.getByLabel('Name (optional)').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForSelector('text=Passkey “Test laptop” added');
    expect(await page.locator('.session__device').first().textContent()).toContain('Test laptop');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    expect(credentials[0]?.rpId).toBe('localhost');

    // Log out, then sign in with the passkey from the login page.
    await page.locator('summary', { hasText: 'Account' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/auth\/login\?signed_out=1$/);
    const passkeyButton = page.getByRole('button', { name: 'Sign in with a passkey' });
    await passkeyButton.waitFor({ state: 'visible' });
    let recorded = '';
    page.on('request', (req) => {
      if (req.method() === 'POST' && req.url() === `${baseUrl}/auth/passkey`) recorded = req.postData() ?? '';
    });
    await passkeyButton.click();
    await page.waitForURL(`${baseUrl}/posts`);
    // The browser's real assertion, replayed by someone else (with a challenge of their own waiting): refused.
    expect(recorded).toContain('authenticatorData');
    const thief = await browser.newContext();
    const challenge = await thief.request.post(`${baseUrl}/auth/passkey/options`, {
      headers: { 'Content-Type': 'application/json', Origin: baseUrl },
      data: {},
    });
    expect(challenge.status()).toBe(200);
    const replay = await thief.request.post(`${baseUrl}/auth/passkey`, {
      headers: { 'Content-Type': 'application/json', Origin: baseUrl },
      data: recorded,
    });
    expect(replay.status()).toBe(401);
    expect((await thief.request.get(`${baseUrl}/auth/profile`)).status()).toBe(401);
    await thief.close();
    expect(await page.textContent('header')).toContain('keyholder');
    expect(await page.textContent('main')).toContain('Signed in as keyholder');

    // Used: "Last used" is filled in; the security log says how.
    await page.goto(`${baseUrl}/account/passkeys`);
    expect(await page.textContent('main')).not.toContain('Never');
    await readmeShot(page, 'passkeys.png');
    const log = await page.request.get(`${baseUrl}/account/security`, { headers: { Accept: 'application/json' } });
    const events = (await log.json()).events as { type: string; details: Record<string, unknown> }[];
    expect(events.find((e) => e.type === 'signed_in')?.details.method).toBe('passkey');
    expect(events.map((e) => e.type)).toContain('passkey_added');

    // Remove it: the authenticator still holds the key, but the site no longer accepts it.
    // Asked first (issue 25): the list's Remove opens a confirmation page.
    await page.getByRole('link', { name: /Remove/ }).click();
    await page.getByRole('heading', { name: 'Remove this passkey?' }).waitFor();
    await page.getByRole('button', { name: 'Remove passkey' }).click();
    await page.waitForSelector('text=it no longer signs you in');
    await page.locator('summary', { hasText: 'Account' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/auth\/login\?signed_out=1$/);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForSelector('text=Not signed in: Passkey not accepted');
    expect(page.url()).toContain('/auth/login');
    const profile = await page.request.get(`${baseUrl}/auth/profile`);
    expect(profile.status()).toBe(401);

    // And the password form still works on the same page (its CSRF token arrived with the challenge).
    await page.getByLabel('Username').fill('keyholder');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${baseUrl}/posts`);
    expect(cspErrors).toEqual([]);
    await context.close();
  });

  it('the browser’s autofill (conditional mediation) signs in once the username field is touched, not before', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await virtualAuthenticator(page);
    await registerOnPage(page, baseUrl, 'autofiller', { password: PASSWORD });
    await page.goto(`${baseUrl}/account/passkeys`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForSelector('.session__device');
    await context.clearCookies();

    // Opening the login page starts nothing: no session, no challenge (anonymous pages stay cookie-free).
    await page.goto(`${baseUrl}/auth/login`);
    expect(await page.getAttribute('#field-username', 'autocomplete')).toBe('username webauthn');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor({ state: 'visible' });
    await page.waitForTimeout(500);
    expect((await context.cookies()).filter((c) => c.name === 'folio.sid')).toEqual([]);
    expect(page.url()).toContain('/auth/login');
    // Touching the field starts the conditional request; the virtual authenticator answers it as a person
    // picking the passkey from the autofill list would.
    await page.getByLabel('Username').click();
    await page.waitForURL(`${baseUrl}/posts`);
    expect(await page.textContent('header')).toContain('autofiller');
    await context.close();
  });

  it('the pages are axe clean (every impact)', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await virtualAuthenticator(page);
    const problems: string[] = [];
    const audit = async () => {
      for (const v of await allViolations(page))
        problems.push(`${page.url()} ${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
    };
    await page.goto(`${baseUrl}/auth/login`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor({ state: 'visible' });
    await audit();
    await page.getByLabel('Username').fill('keyholder');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${baseUrl}/posts`);
    await page.goto(`${baseUrl}/account/passkeys`);
    await page.getByRole('button', { name: 'Add a passkey' }).waitFor({ state: 'visible' });
    await audit();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForSelector('.session__device');
    await audit();
    expect(problems).toEqual([]);
    await context.close();
  });
});
