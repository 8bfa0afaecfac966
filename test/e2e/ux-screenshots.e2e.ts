/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { loginIn, registerIn } from './accounts';
import { releaseBrowser, sharedBrowser } from './browser';
import { openAccountMenu, openLook, publish, serveUxApp, type UxApp } from './ux-support';

/**
 * Pictures of issue 12's pages for the README: the Account menu on a phone, the GOV.UK error summary, the
 * login page that says why and keeps what was typed. As screenshots.e2e.ts: test-results/screenshots on a
 * test run, docs/screenshots with `npm run screenshots` (FOLIO_SCREENSHOTS_DIR).
 */
const OUT = path.resolve(projectRoot, process.env.FOLIO_SCREENSHOTS_DIR ?? path.join('test-results', 'screenshots'));

let browser: Browser;
let app: UxApp;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  [browser, app] = await Promise.all([sharedBrowser(), serveUxApp()]);
  const setup = await browser.newContext();
  await registerIn(setup, app.baseUrl, 'alice');
  await publish(setup, app.baseUrl, 'What the session cookie holds', 'Only an id.');
  await setup.close();
}, 180_000);
afterAll(async () => {
  await releaseBrowser(browser);
  await app?.close();
});

describe('issue 12 screenshots', () => {
  it('the Account menu on a phone, an error summary, the login page after a session ended', async () => {
    const menu = await openLook(browser, { width: 390, scheme: 'dark' });
    await loginIn(menu.context, app.baseUrl, 'alice');
    await menu.page.goto(`${app.baseUrl}/posts`);
    await openAccountMenu(menu.page);
    await menu.page.screenshot({ path: path.join(OUT, 'account-menu-phone-dark.png') });
    await menu.context.close();

    const form = await openLook(browser, { width: 1280, scheme: 'light' });
    await form.page.goto(`${app.baseUrl}/auth/register`);
    await form.page.locator('#field-username').fill('Not Allowed');
    await form.page.getByRole('button', { name: 'Create account' }).click();
    await form.page.waitForLoadState('load');
    await form.page.screenshot({ path: path.join(OUT, 'error-summary-desktop-light.png') });
    await form.context.close();

    const kept = await openLook(browser, { width: 390, scheme: 'light' });
    await loginIn(kept.context, app.baseUrl, 'alice');
    await kept.page.goto(`${app.baseUrl}/posts/new`);
    await kept.page.getByLabel('Title').fill('Notes written on the train');
    await kept.page.getByLabel('Body').fill('Three careful paragraphs.');
    const other = await browser.newContext();
    await loginIn(other, app.baseUrl, 'alice');
    await other.request.post(`${app.baseUrl}/account/sessions/revoke-others`, { data: {} });
    await other.close();
    await kept.page.getByRole('button', { name: 'Publish' }).click();
    await kept.page.waitForURL(/\/auth\/login/);
    await kept.page.screenshot({ path: path.join(OUT, 'login-kept-phone-light.png') });
    expect(await kept.page.locator('main .notice').first().textContent()).toContain('What you wrote is kept');
    await kept.context.close();
  });
});
