/// <reference lib="dom" />
// Issue 25 in Chromium: the reader's time zone, the editor's Preview and autosave, two-factor on a phone by
// keyboard, password Show/Hide — at 320, 390 and 1280 px, light and dark, in Berlin and Los Angeles.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/factors/totp';
import { PASSWORD, registerIn, registerOnPage } from './accounts';
import { releaseBrowser, sharedBrowser } from './browser';
import { readmeShot } from './readme-shots';
import { LOOKS, type Look, lookName, openLook, serveUxApp, type UxApp } from './ux-support';

/** The README's picture of this look, when `npm run screenshots` asks for them (readme-shots.ts). */
async function shot(page: Page, look: Look, wanted: Look, name: string): Promise<void> {
  if (look.width !== wanted.width || look.scheme !== wanted.scheme) return;
  await readmeShot(page, name, { fullPage: look.width < 600 });
}

let browser: Browser;
let app: UxApp;
let n = 0;
beforeAll(async () => {
  browser = await sharedBrowser();
  app = await serveUxApp();
});
afterAll(async () => {
  await releaseBrowser(browser);
  await app?.close();
});

function nextName(prefix: string): string {
  n += 1;
  return `${prefix}${n}`;
}

const ZONES = [
  { zone: 'Europe/Berlin', look: LOOKS[2] as Look, local: '2030-01-15T10:00', utc: '2030-01-15T09:00:00.000Z' },
  { zone: 'America/Los_Angeles', look: LOOKS[5] as Look, local: '2030-07-15T10:00', utc: '2030-07-15T17:00:00.000Z' },
];

describe('time in the reader’s zone', () => {
  for (const { zone, look, local, utc } of ZONES) {
    it(`${zone} (${lookName(look)}): scheduling at 10:00 local publishes at ${utc}`, async () => {
      const { context, page, problems, check } = await openLook(browser, look, { timezoneId: zone });
      // Through the form, as a person would: the page's script sends the browser's zone with it.
      await registerOnPage(page, app.baseUrl, nextName('zone'));
      await page.goto(`${app.baseUrl}/posts/new`);
      await check('new post, zoned');
      const field = page.getByLabel(`Publish at (${zone})`);
      await field.fill(local);
      await page.getByLabel('Title').fill(`Ten o’clock in ${zone}`);
      await page.getByLabel('Body', { exact: true }).fill('On time.');
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
      await check('scheduled');
      const id = new URL(page.url()).pathname.split('/').pop() as string;
      const json = await (
        await context.request.get(`${app.baseUrl}/posts/${id}`, { headers: { Accept: 'application/json' } })
      ).json();
      expect(json.post.publishedAt).toBe(utc);
      // The page says the writer's own 10:00.
      expect(await page.locator('.post__status time').textContent()).toMatch(/ at 10:00 /);
      const at = Date.parse(utc);
      const saved = app.clock.now;
      try {
        app.clock.now = at - 60_000;
        expect((await browser.newPage().then((p) => p.goto(`${app.baseUrl}/posts/${id}`)))?.status()).toBe(404);
        app.clock.now = at;
        const anon = await browser.newPage();
        expect((await anon.goto(`${app.baseUrl}/posts/${id}`))?.status()).toBe(200);
        await anon.close();
      } finally {
        app.clock.now = saved;
      }
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});

describe('the editor: Preview and autosave', () => {
  for (const look of LOOKS) {
    it(`${lookName(look)}: the preview matches the published render; an autosaved draft survives closing the tab`, async () => {
      const { context, page, problems, check } = await openLook(browser, look, { timezoneId: 'Europe/Berlin' });
      // The page's clock (Playwright's, flowing as real time does) lets the test move it past the autosave's
      // quiet period instead of sleeping through it. The server keeps real time.
      await context.clock.install();
      // Signed up as this browser would be, zone included (the form is the zone tests' subject, above).
      await registerIn(context, app.baseUrl, nextName('ed'), { timeZone: 'Europe/Berlin' });
      if (look.width < 600) {
        // One tap from the phone's header.
        await page.goto(`${app.baseUrl}/posts`);
        await page.getByRole('link', { name: 'Write', exact: true }).click();
      } else {
        await page.goto(`${app.baseUrl}/posts/new`);
      }
      await page.waitForURL(/\/posts\/new$/);
      const title = `Draft at ${look.width} ${look.scheme}`;
      const source =
        '## Hello\n\nSome **bold** words and `code`.\n\n| Name | Notes |\n|---|---|\n| a | a longer note |';
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Body', { exact: true }).fill(source);
      // Autosave: a few seconds (2.5) after typing stops; the page's clock is moved on by them.
      await page.clock.fastForward(2_500);
      await page
        .locator('[data-autosave-status]')
        .filter({ hasText: /^Saved \d{2}:\d{2}$/ })
        .waitFor({ timeout: 15_000 });
      await check('autosaved');

      // Preview by keyboard: the tabs are one stop, arrows move between them.
      await page.getByRole('tab', { name: 'Write' }).focus();
      await page.keyboard.press('ArrowRight');
      expect(await page.getByRole('tab', { name: 'Preview' }).getAttribute('aria-selected')).toBe('true');
      const panel = page.locator('#editor-preview-panel');
      await panel.locator('h2').waitFor();
      await check('preview');
      await shot(page, look, { width: 1280, scheme: 'light' }, 'editor-preview-desktop-light.png');
      const previewHtml = await panel.innerHTML();

      // Closing the tab keeps the draft.
      await page.close();
      const again = await context.newPage();
      await again.goto(`${app.baseUrl}/drafts`);
      await again.getByRole('link', { name: title, exact: true }).click();
      await again.waitForURL(/\/posts\/[a-f0-9]{24}$/);
      await again.getByRole('link', { name: 'Edit' }).click();
      expect(await again.getByLabel('Body', { exact: true }).inputValue()).toBe(source);
      await again.getByRole('button', { name: 'Publish' }).click();
      await again.waitForURL(/\/posts\/[a-f0-9]{24}$/);
      const served = await (await context.request.get(again.url())).text();
      const published = /<div class="post__body">([\s\S]*?)<\/div>\n\s*<div class="post__actions">/.exec(served)?.[1];
      expect(published?.trim()).toBe(previewHtml.trim());
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});

describe('two-factor on a phone, by keyboard', () => {
  for (const look of LOOKS.filter((l) => l.width < 600)) {
    it(`${lookName(look)}: set up, recovery codes copied, downloaded and printed`, async () => {
      const { context, page, problems, check } = await openLook(browser, look, {
        timezoneId: 'America/Los_Angeles',
        acceptDownloads: true,
      });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.baseUrl });
      await registerIn(context, app.baseUrl, nextName('tfa'), { timeZone: 'America/Los_Angeles' });
      await page.goto(`${app.baseUrl}/account/two-factor`);
      await check('setup');
      const open = page.getByRole('link', { name: 'Open in authenticator app' });
      expect(await open.getAttribute('href')).toMatch(/^otpauth:\/\/totp\//);
      const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
      // Keyboard only: Tab to the code field (past the authenticator link), type, Enter.
      const code = page.getByLabel('6-digit code');
      expect(await code.getAttribute('inputmode')).toBe('numeric');
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      await open.focus();
      for (let i = 0; i < 10 && !(await code.evaluate((el) => el === document.activeElement)); i++) {
        await page.keyboard.press('Tab');
      }
      expect(await code.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.type(totpCode(secret, app.clock.now));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
      await check('recovery codes');
      await shot(page, look, { width: 390, scheme: 'light' }, 'recovery-codes-phone-light.png');
      const codes = await page.locator('[data-recovery-codes] code').allTextContents();
      expect(codes).toHaveLength(10);

      await page.getByRole('button', { name: 'Copy all' }).focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-recovery-status]').filter({ hasText: 'Copied' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join('\n'));

      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download (.txt)' }).focus();
      await page.keyboard.press('Enter');
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^folio-recovery-codes-tfa\d+\.txt$/);
      expect(file.url()).toMatch(/^blob:/);
      const text = readFileSync((await file.path()) as string, 'utf8');
      for (const c of codes) expect(text).toContain(c);

      await page.evaluate(() => {
        window.print = () => document.body.setAttribute('data-printed', 'yes');
      });
      await page.getByRole('button', { name: 'Print' }).focus();
      await page.keyboard.press('Enter');
      expect(await page.locator('body').getAttribute('data-printed')).toBe('yes');
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});

describe('password fields', () => {
  for (const look of [LOOKS[0], LOOKS[3], LOOKS[4]] as Look[]) {
    it(`${lookName(look)}: Show/Hide is a labelled button, by keyboard, and nothing goes into the URL`, async () => {
      const { context, page, problems, check } = await openLook(browser, look);
      await page.goto(`${app.baseUrl}/auth/login`);
      const password = page.getByLabel('Password', { exact: true });
      await password.fill('my secret phrase');
      const toggle = page.getByRole('button', { name: 'Show password' });
      await toggle.focus();
      await page.keyboard.press('Enter');
      expect(await password.getAttribute('type')).toBe('text');
      await page.getByRole('button', { name: 'Hide password' }).waitFor();
      await check('password shown');
      const box = await page.getByRole('button', { name: 'Hide password' }).boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      await page.keyboard.press('Space');
      expect(await password.getAttribute('type')).toBe('password');
      expect(page.url()).not.toContain('secret');
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});

describe('security log, settings, subscribe and search on a phone', () => {
  for (const look of LOOKS) {
    it(`${lookName(look)}: cards with the sign-in method and "Sign out this device"; the new pages are clean`, async () => {
      const { context, page, problems, check } = await openLook(browser, look, { timezoneId: 'Europe/Berlin' });
      const username = nextName('log');
      await registerIn(context, app.baseUrl, username, { timeZone: 'Europe/Berlin' });
      // A second browser signs in: its row gets "Sign out this device".
      const other = await browser.newContext();
      const res = await other.request.post(`${app.baseUrl}/auth/login`, { data: { username, password: PASSWORD } });
      expect(res.status()).toBe(200);
      await page.goto(`${app.baseUrl}/account/security`);
      await check('security log');
      await shot(page, look, { width: 390, scheme: 'dark' }, 'security-log-phone-dark.png');
      expect(await page.locator('main').textContent()).toContain('Signed in with a password');
      const signOut = page.getByRole('button', { name: /^Sign out this device/ });
      expect(await signOut.count()).toBe(1);
      expect((await signOut.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
      if (look.width < 600) {
        // Cards: no row wider than the screen, and the date on few lines.
        const row = await page.locator('.security-log tbody tr').first().boundingBox();
        expect(row?.width ?? 999).toBeLessThanOrEqual(look.width);
      }
      await signOut.click();
      await page.waitForURL(/\/account\/sessions$/);
      expect((await other.request.get(`${app.baseUrl}/auth/profile`)).status()).toBe(401);
      await other.close();

      await page.goto(`${app.baseUrl}/posts`);
      await page.locator('[data-account-menu] summary').click();
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.waitForURL(/\/account\/settings$/);
      await check('settings');
      expect(await page.locator('main').textContent()).toContain('Europe/Berlin');

      await page.getByRole('link', { name: 'Subscribe', exact: true }).click();
      await page.waitForURL(/\/subscribe$/);
      await check('subscribe');
      expect(await page.getByLabel(/Every post on Folio \(Atom\)/).inputValue()).toBe(`${app.baseUrl}/feed.xml`);

      await page.goto(`${app.baseUrl}/search?q=nothing`);
      await check('search');
      // One search box on a phone: the header's is hidden on the search page.
      const boxes = await page.locator('input[type="search"]:visible').count();
      expect(boxes).toBe(look.width < 600 ? 1 : 2);
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
