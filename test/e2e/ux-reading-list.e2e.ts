/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInOnPage, registerIn } from './accounts';
import { releaseBrowser, sharedBrowser } from './browser';
import { LOOKS, type Look, lookName, openLook, publish, serveUxApp, type UxApp } from './ux-support';

/**
 * Issue 12, "must show" 5: saved on one browser, the reading list shows on a second signed in as the same
 * user; the button shows the saved state; the confirmation offers "View list" and "Undo"; the header counts.
 */

let browser: Browser;
let app: UxApp;
let postId: string;

beforeAll(async () => {
  [browser, app] = await Promise.all([sharedBrowser(), serveUxApp()]);
  const setup = await browser.newContext();
  await registerIn(setup, app.baseUrl, 'bookworm');
  postId = await publish(setup, app.baseUrl, 'A long read for later', 'Many words.');
  await setup.close();
}, 180_000);
afterAll(async () => {
  await releaseBrowser(browser);
  await app?.close();
});

describe('a reading list that follows the account (issue 12)', () => {
  for (const [laptopLook, phoneLook] of [
    [LOOKS[4], LOOKS[1]],
    [LOOKS[5], LOOKS[2]],
  ] as [Look, Look][]) {
    it(`saved at ${lookName(laptopLook)}, there at ${lookName(phoneLook)}; Saved ✓ / Remove; View list and Undo`, async () => {
      const laptop = await openLook(browser, laptopLook);
      await laptop.page.goto(`${app.baseUrl}/auth/login`);
      await logInOnPage(laptop.page, 'bookworm');
      await laptop.page.waitForURL(`${app.baseUrl}/posts`);
      await laptop.page.goto(`${app.baseUrl}/posts/${postId}`);
      await laptop.page.getByRole('button', { name: 'Save for later' }).click();
      await laptop.page.waitForLoadState('load');
      const flash = laptop.page.locator('.flash', { hasText: 'Saved to your reading list.' });
      expect(await flash.getByRole('link', { name: 'View list' }).count()).toBe(1);
      expect(await laptop.page.locator('.saved-state').textContent()).toContain('Saved ✓');
      expect(await laptop.page.locator('.nav-count').textContent()).toContain('1');
      await laptop.check('saved');
      // Undo puts it back as it was.
      await flash.getByRole('button', { name: 'Undo' }).click();
      await laptop.page.waitForLoadState('load');
      expect(await laptop.page.getByRole('button', { name: 'Save for later' }).count()).toBe(1);
      expect(await laptop.page.locator('.nav-count').count()).toBe(0);
      await laptop.page.getByRole('button', { name: 'Save for later' }).click();
      await laptop.page.waitForLoadState('load');

      // The phone, signed in as the same user.
      const phone = await openLook(browser, phoneLook);
      await phone.page.goto(`${app.baseUrl}/auth/login`);
      await logInOnPage(phone.page, 'bookworm');
      await phone.page.waitForURL(`${app.baseUrl}/posts`);
      expect(await phone.page.locator('.nav-count').textContent()).toContain('1');
      await phone.page.goto(`${app.baseUrl}/reading-list`);
      expect(await phone.page.locator('main .post-summary__title').allTextContents()).toEqual([
        'A long read for later',
      ]);
      await phone.check('list on the second device');
      await phone.page.goto(`${app.baseUrl}/posts/${postId}`);
      expect(await phone.page.locator('.saved-state').textContent()).toContain('Saved ✓');
      await phone.check('saved state on the second device');
      // Removed on the phone: gone on the laptop too.
      await phone.page
        .locator('.saved-state')
        .getByRole('button', { name: /Remove/ })
        .click();
      await phone.page.waitForLoadState('load');
      await laptop.page.goto(`${app.baseUrl}/reading-list`);
      expect(await laptop.page.getByText('Nothing saved yet.').count()).toBe(1);
      expect([...laptop.problems, ...phone.problems]).toEqual([]);
      await laptop.context.close();
      await phone.context.close();
    });
  }
});
