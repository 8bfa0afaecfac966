import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';

let browser: Browser;
let served: ServedApp;

beforeAll(async () => {
  [browser, served] = await Promise.all([sharedBrowser(), serveTestApp()]);
});
afterAll(async () => {
  await releaseBrowser(browser);
  await served?.close();
});

describe('in a browser', () => {
  it('register → lands on posts signed in → write a post → log out → log in with Remember me', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${served.baseUrl}/posts`);
    expect(await context.cookies()).toEqual([]);

    await page.getByRole('link', { name: 'Register' }).click();
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${served.baseUrl}/posts`);
    expect(await page.textContent('header')).toContain('Signed in as carol');

    await page.getByRole('link', { name: 'New post' }).click();
    await page.getByLabel('Title').fill('From the browser');
    await page.getByLabel('Body').fill('Typed by a person.');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    expect(await page.textContent('h1')).toBe('From the browser');

    // Log out lives in the header's Account menu.
    await page.getByText('Account', { exact: true }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/auth\/login/);
    expect(await page.textContent('header')).toContain('Sign in');

    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByLabel('Remember me on this device').check();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${served.baseUrl}/posts`);
    const cookie = (await context.cookies()).find((c) => c.name === 'folio.sid');
    expect(cookie?.name).toBe('folio.sid');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    // Remember me: a persistent cookie (about 30 days), not a browser-session one.
    expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
    await context.close();
  });
});
