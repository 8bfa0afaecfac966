import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInOnPage } from './accounts';
import { allViolations } from './axe';
import { followMailLink, releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';
import { readmeShot } from './readme-shots';

/**
 * The account's security pages in Chromium, axe clean at every impact level: the security log, "confirm your
 * password" (sudo), a new-device alert followed from the development outbox to "this wasn't me", and closing
 * an account then keeping it at sign-in. Mail links point at PUBLIC_URL, which is this test server.
 */

let browser: Browser;
let t: ServedApp;
let baseUrl: string;
const PASSWORD = 'lantern by the orchard gate';

beforeAll(async () => {
  // REAUTH_MINUTES=0: every sensitive action asks for the password, so the confirmation page is exercised.
  [browser, t] = await Promise.all([sharedBrowser(), serveTestApp({ env: { REAUTH_MINUTES: '0' } })]);
  baseUrl = t.baseUrl;
});
afterAll(async () => {
  await releaseBrowser(browser);
  await t?.close();
});

const problems: string[] = [];
async function audit(page: Page): Promise<void> {
  for (const v of await allViolations(page)) {
    problems.push(`${page.url()} ${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
  }
}

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  return { context, page: await context.newPage() };
}

async function logIn(page: Page, username: string): Promise<void> {
  await page.goto(`${baseUrl}/auth/login`);
  await logInOnPage(page, username, { password: PASSWORD });
}

describe('your account’s security, in a browser', () => {
  it('the log, sudo, a new-device alert with "this wasn’t me", closing and keeping the account', async () => {
    const { context: home, page } = await newPage();
    await page.goto(`${baseUrl}/auth/register`);
    await page.getByLabel('Username').fill('secure-sam');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Email address (optional)').fill('sam@example.org');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${baseUrl}/posts`);
    await followMailLink(page, baseUrl, '/account/email/verify/');
    await page.getByRole('button', { name: /Confirm/ }).click();

    // A sign-in from a second browser: new to this account, so the confirmed address gets an alert.
    const { context: away, page: intruder } = await newPage();
    await logIn(intruder, 'secure-sam');
    await intruder.waitForURL(`${baseUrl}/posts`);

    await page.goto(`${baseUrl}/account/security`);
    await audit(page);
    expect(await page.textContent('main')).toContain('Signed in');
    expect(await page.locator('.badge', { hasText: 'New device' }).count()).toBeGreaterThan(0);
    await readmeShot(page, 'security-log.png');

    // The alert, opened from the outbox; its page changes nothing until its button is pressed.
    await followMailLink(page, baseUrl, '/account/not-me/');
    await audit(page);
    expect((await intruder.goto(`${baseUrl}/auth/profile`))?.status()).toBe(200);
    await page.getByRole('button', { name: 'Sign that browser out' }).click();
    await page.waitForSelector('text=That browser is signed out');
    await audit(page);
    expect((await intruder.goto(`${baseUrl}/auth/profile`))?.status()).toBe(401);
    await page.goto(`${baseUrl}/dev/mail`);
    await page.getByRole('link', { name: 'The HTML version of “New sign-in to your Folio account”' }).click();
    await readmeShot(page, 'new-device-mail.png');

    // Sudo: exporting asks for the password first, then goes on.
    await page.goto(`${baseUrl}/account/security`);
    await page.getByRole('link', { name: 'Download all your data' }).click();
    await page.waitForURL(/\/account\/confirm\?next=/);
    await audit(page);
    await page.locator('#field-password').fill(PASSWORD);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Confirm' }).click();
    expect((await download).suggestedFilename()).toMatch(/^folio-secure-sam-\d{4}-\d{2}-\d{2}\.json$/);

    // Closing the account (after confirming the password), then keeping it at sign-in.
    await page.goto(`${baseUrl}/account/delete`);
    await audit(page);
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL(/\/account\/confirm\?next=%2Faccount%2Fdelete/);
    await page.locator('#field-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${baseUrl}/account/delete`);
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForSelector('text=Your account is closed');
    await audit(page);

    await logIn(page, 'secure-sam');
    await page.waitForSelector('text=This account is closed');
    await audit(page);
    await page.getByRole('button', { name: 'Keep my account and sign in' }).click();
    await page.waitForURL(`${baseUrl}/posts`);
    expect(await page.textContent('body')).toContain('your account is restored');

    await Promise.all([home.close(), away.close()]);
    expect(problems).toEqual([]);
  });
});
