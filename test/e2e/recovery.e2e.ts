import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { seriousViolations } from './axe';
import { followMailLink, releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';

/**
 * Getting back into an account, in Chromium, with mail read from the development outbox (/dev/mail) and
 * its links clicked: they point at PUBLIC_URL, which is this test server.
 */

let browser: Browser;
let t: ServedApp;
let baseUrl: string;

beforeAll(async () => {
  [browser, t] = await Promise.all([sharedBrowser(), serveTestApp()]);
  baseUrl = t.baseUrl;
});
afterAll(async () => {
  await releaseBrowser(browser);
  await t?.close();
});

const PASSWORD = 'ochre kettle on the windowsill';
const NEW_PASSWORD = 'seven quiet herons at dusk';

describe('getting back into an account, in a browser', () => {
  it('register with an address, confirm it, log out, forget the password, reset it from the mail, log in', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const audit = async () => {
      for (const v of await seriousViolations(page))
        problems.push(`${page.url()} ${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
    };

    await page.goto(`${baseUrl}/auth/register`);
    await audit();
    await page.getByLabel('Username').fill('rosa');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Email address (optional)').fill('rosa@example.org');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${baseUrl}/posts`);

    await page.goto(`${baseUrl}/account/email`);
    await audit();
    expect(await page.textContent('main')).toContain('is not confirmed yet');

    await page.goto(`${baseUrl}/dev/mail`);
    await audit();
    await followMailLink(page, baseUrl, '/account/email/verify/');
    await audit();
    expect(await page.textContent('main')).toContain('rosa@example.org');
    await page.getByRole('button', { name: 'Confirm address' }).click();
    await page.waitForURL(`${baseUrl}/account/email`);
    expect(await page.textContent('main')).toContain('is your confirmed address');
    await audit();

    await page.goto(`${baseUrl}/auth/logout`);
    await page.locator('main').getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/auth\/login/);
    await page
      .locator('main')
      .getByRole('link', { name: /Reset it|Reset your password/ })
      .first()
      .click();
    await page.waitForURL(`${baseUrl}/auth/forgot`);
    await audit();
    await page.getByLabel('Email address').fill('rosa@example.org');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.waitForURL(`${baseUrl}/auth/forgot/sent`);
    await audit();

    await followMailLink(page, baseUrl, '/auth/reset/');
    const resetUrl = page.url();
    await audit();
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.waitForURL(`${baseUrl}/auth/reset/done`);
    await audit();

    // The link is spent: the clear page.
    const again = await page.goto(resetUrl);
    expect(again?.status()).toBe(404);
    expect(await page.textContent('h1')).toBe('This link has expired or was already used');
    await audit();

    await page.goto(`${baseUrl}/auth/login`);
    await page.getByLabel('Username').fill('rosa');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${baseUrl}/posts`);
    expect(await page.locator('header').textContent()).toContain('rosa');

    expect(problems).toEqual([]);
    await context.close();
  });

  it('takes the README screenshot of a reset mail, as a mail client shows its HTML part', async () => {
    const context = await browser.newContext({ viewport: { width: 720, height: 640 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/dev/mail`);
    const reset = page.locator('article', { hasText: 'Reset your Folio password' }).first();
    await reset.getByRole('link', { name: /The HTML version/ }).click();
    await page.waitForURL(/\/dev\/mail\/[a-f0-9]{24}\/html$/);
    expect(await page.textContent('body')).toContain('Choose a new password');
    // As screenshots.e2e.ts: test-results/ on a test run, docs/screenshots with `npm run screenshots`.
    const out = path.resolve(
      projectRoot,
      process.env.FOLIO_SCREENSHOTS_DIR ?? path.join('test-results', 'screenshots'),
    );
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, 'reset-mail.png'), fullPage: true });
    await context.close();
  });
});
