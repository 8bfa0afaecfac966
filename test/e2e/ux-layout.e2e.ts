/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIn } from './accounts';
import { releaseBrowser, sharedBrowser } from './browser';
import { contrast, LOOKS, lookName, openAccountMenu, openLook, publish, serveUxApp, type UxApp } from './ux-support';

/**
 * Issue 12, "must show" 2, 6 and 7: layouts that hold any content, a header for thumbs and keyboards, borders
 * that can be seen; at 320, 390 and 1280 px, light and dark, with axe (every impact) and html-validate on
 * every page.
 */

const LONG_TITLE = 'A'.repeat(90) + 'Supercalifragilistic'.repeat(5) + 'Z'.repeat(10); // 200, unbroken
const WIDE_TABLE = [
  '| Browser | Operating system | Engine | Cookie partitioning | SameSite default | Third-party cookies |',
  '|---|---|---|---|---|---|',
  '| Chromium | Linux | Blink | CHIPS, opt-in | Lax by default | Phasing out, user choice |',
  '| Firefox | Windows | Gecko | Total Cookie Protection | None by default | Blocked in strict mode |',
  '| Safari | macOS | WebKit | Partitioned always | Lax-ish | Blocked by default |',
].join('\n');
const LONG_CODE = `\`\`\`js\n${Array.from({ length: 30 }, (_, i) => `const line${i} = ${JSON.stringify('x'.repeat(140))}; // a long line that scrolls sideways`).join('\n')}\n\`\`\``;

let browser: Browser;
let app: UxApp;
let postId: string;
let codePostId: string;
let writerState: Awaited<ReturnType<Awaited<ReturnType<Browser['newContext']>>['storageState']>>;

beforeAll(async () => {
  [browser, app] = await Promise.all([sharedBrowser(), serveUxApp()]);
  const setup = await browser.newContext();
  await registerIn(setup, app.baseUrl, 'supercalifragilistic_writer');
  postId = await publish(setup, app.baseUrl, LONG_TITLE, `A table:\n\n${WIDE_TABLE}\n\nThe end.`);
  codePostId = await publish(setup, app.baseUrl, 'Code that scrolls', `Some code:\n\n${LONG_CODE}\n\nDone.`);
  // A second device, so "Sign out all other devices" and its confirmation exist.
  const other = await browser.newContext();
  await other.request.post(`${app.baseUrl}/auth/login`, {
    data: { username: 'supercalifragilistic_writer', password: 'correct horse battery' },
  });
  await other.close();
  await setup.request.post(`${app.baseUrl}/reading-list/${postId}`, { data: {} });
  writerState = await setup.storageState();
  await setup.close();
}, 180_000);
afterAll(async () => {
  await releaseBrowser(browser);
  await app?.close();
});

/** Words split across lines inside table cells: each word (between spaces and hyphens) must sit on one line. */
async function splitWordsInCells(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const split: string[] = [];
    for (const cell of Array.from(document.querySelectorAll('.post__body td, .post__body th'))) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[^\s-]+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index ?? 0);
          range.setEnd(node, (match.index ?? 0) + match[0].length);
          const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
          if (lines.size > 1) split.push(match[0]);
        }
      }
    }
    return split;
  });
}

describe('layouts that hold any content (issue 12)', () => {
  for (const look of LOOKS) {
    it(`${lookName(look)}: no page wider than the viewport, table cells whole, axe and html-validate clean`, async () => {
      const v = await openLook(browser, look);
      const pages = [
        '/posts',
        `/posts/${postId}`,
        '/users/supercalifragilistic_writer',
        '/auth/login',
        '/auth/register',
      ];
      for (const path of pages) {
        await v.page.goto(`${app.baseUrl}${path}`);
        await v.check('anonymous');
      }
      await v.context.addCookies(writerState.cookies);
      const signedIn = [
        '/posts',
        `/posts/${postId}`,
        `/posts/${codePostId}`,
        `/posts/${postId}/edit`,
        `/posts/${postId}/delete`,
        '/posts/new',
        '/reading-list',
        '/account/sessions',
        '/account/sessions/revoke-others',
        '/account/password',
        '/users/supercalifragilistic_writer',
        '/no/such/page',
      ];
      for (const path of signedIn) {
        await v.page.goto(`${app.baseUrl}${path}`);
        await v.check('signed in');
      }
      // The long title in a flash message (saving it puts it nowhere, but the post page shows it in the h1).
      await v.page.goto(`${app.baseUrl}/posts/${postId}`);
      expect(await splitWordsInCells(v.page)).toEqual([]);
      // The table box scrolls by itself, and can be reached by keyboard to do so.
      const box = v.page.locator('.post__body .table-scroll');
      expect(await box.getAttribute('tabindex')).toBe('0');
      // The code block is a focusable, named region with a scroll cue; it scrolls, the page does not.
      await v.page.goto(`${app.baseUrl}/posts/${codePostId}`);
      const pre = v.page.locator('.post__body pre').first();
      expect(await pre.getAttribute('tabindex')).toBe('0');
      expect(await pre.getAttribute('aria-label')).toMatch(/Code/);
      await pre.focus();
      await v.page.keyboard.press('ArrowRight');
      await expect.poll(() => pre.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
      expect(v.problems).toEqual([]);
      await v.context.close();
    });
  }
});

describe('the header on a phone and by keyboard (issue 12)', () => {
  for (const look of LOOKS.filter((l) => l.width < 600)) {
    it(`${lookName(look)}: every header link, button and field is at least 44 px tall; two rows at most; the menu too`, async () => {
      const v = await openLook(browser, look);
      for (const signedIn of [false, true]) {
        if (signedIn) await v.context.addCookies(writerState.cookies);
        await v.page.goto(`${app.baseUrl}/posts`);
        const heights = async () =>
          v.page.evaluate(() =>
            Array.from(document.querySelectorAll('header a, header button, header summary, header input'))
              .filter((el) => (el as HTMLElement).offsetParent !== null)
              .map((el) => ({
                text: el.textContent?.trim() || el.getAttribute('name') || '',
                height: el.getBoundingClientRect().height,
              })),
          );
        for (const target of await heights()) {
          expect(target.height, `${target.text} (${signedIn ? 'signed in' : 'anonymous'})`).toBeGreaterThanOrEqual(44);
        }
        // Two rows at most (name and menus; the search box), not the three of before (~130 px).
        const header = await v.page.locator('header.site-header').boundingBox();
        expect(header?.height ?? 999).toBeLessThanOrEqual(110);
        if (signedIn) {
          await openAccountMenu(v.page);
          const inMenu = await heights();
          expect(inMenu.map((t) => t.text)).toEqual(
            expect.arrayContaining(['Your posts', 'Reading list', 'Settings', 'Sign out']),
          );
          for (const target of inMenu) expect(target.height, target.text).toBeGreaterThanOrEqual(44);
          await v.check('menu open');
        }
      }
      expect(v.problems).toEqual([]);
      await v.context.close();
    });
  }

  for (const look of [LOOKS[0], LOOKS[5]]) {
    if (!look) continue;
    it(`${lookName(look)}: the Account menu works by keyboard alone (open, follow, Escape)`, async () => {
      const v = await openLook(browser, look);
      await v.context.addCookies(writerState.cookies);
      await v.page.goto(`${app.baseUrl}/posts`);
      const focusedText = () => v.page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
      for (let i = 0; i < 12 && (await focusedText()) !== 'Account'; i++) await v.page.keyboard.press('Tab');
      expect(await focusedText()).toBe('Account');
      await v.page.keyboard.press('Enter');
      expect(await v.page.locator('[data-account-menu]').evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
      // Escape closes it and focus stays on the toggle.
      await v.page.keyboard.press('Tab');
      await v.page.keyboard.press('Escape');
      expect(await v.page.locator('[data-account-menu]').evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
      expect(await focusedText()).toBe('Account');
      // Open again and follow "Settings" with the keyboard.
      await v.page.keyboard.press('Enter');
      for (let i = 0; i < 8 && (await focusedText()) !== 'Settings'; i++) await v.page.keyboard.press('Tab');
      expect(await focusedText()).toBe('Settings');
      await v.page.keyboard.press('Enter');
      // issue 25: "Settings" lands on the settings page.
      await v.page.waitForURL(`${app.baseUrl}/account/settings`);
      expect(await v.page.locator('.account-nav [aria-current="page"]').textContent()).toBe('Overview');
      await v.check();
      expect(v.problems).toEqual([]);
      await v.context.close();
    });
  }
});

describe('borders that can be seen (issue 12, WCAG 1.4.11)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: outlined buttons and table borders at least 3:1 against the page; Delete looks destructive`, async () => {
      const v = await openLook(browser, { width: 1280, scheme });
      await v.context.addCookies(writerState.cookies);
      await v.page.goto(`${app.baseUrl}/posts/${postId}`);
      const colours = await v.page.evaluate(() => {
        const bg = getComputedStyle(document.body).backgroundColor;
        const border = (sel: string) => {
          const el = document.querySelector(sel);
          return el ? getComputedStyle(el).borderTopColor : 'missing';
        };
        const colour = (sel: string) => {
          const el = document.querySelector(sel);
          return el ? getComputedStyle(el).color : 'missing';
        };
        return {
          bg,
          quiet: border('.post__actions .button--quiet'),
          cell: border('.post__body td'),
          del: border('.post__actions .button--danger-quiet'),
          delText: colour('.post__actions .button--danger-quiet'),
          editText: colour('.post__actions a[href$="/edit"]'),
        };
      });
      expect(
        contrast(colours.quiet, colours.bg),
        `outlined button ${colours.quiet} on ${colours.bg}`,
      ).toBeGreaterThanOrEqual(3);
      expect(
        contrast(colours.cell, colours.bg),
        `table border ${colours.cell} on ${colours.bg}`,
      ).toBeGreaterThanOrEqual(3);
      expect(colours.del).not.toBe('missing');
      expect(contrast(colours.del, colours.bg)).toBeGreaterThanOrEqual(3);
      expect(colours.delText).not.toBe(colours.editText);
      await v.context.close();
    });
  }
});
