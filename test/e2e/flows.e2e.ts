/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInOnPage, PASSWORD, registerIn, registerOnPage } from './accounts';
import { auditedContext } from './axe';
import { releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';
import { publish } from './ux-support';

let browser: Browser;
let served: ServedApp;

beforeAll(async () => {
  [browser, served] = await Promise.all([sharedBrowser(), serveTestApp()]);
});
afterAll(async () => {
  await releaseBrowser(browser);
  await served?.close();
});

/** The flash messages of the page now shown, or its whole main text when there are none (for the failure message). */
async function flashText(page: Page): Promise<string> {
  const flash = page.locator('.flash');
  if ((await flash.count()) > 0) return (await flash.allTextContents()).join(' ');
  return `no flash on ${page.url()}: ${await page.locator('main').textContent()}`;
}

describe('flows in Chromium, with axe on every page', () => {
  it('write a Markdown post, see it rendered, edit it, delete it', async () => {
    const { context, page, audit, problems } = await auditedContext(browser);
    // Through the form: the page it lands on, with its welcome, is audited.
    await registerOnPage(page, served.baseUrl, 'writer');
    await audit();
    await page.getByRole('link', { name: 'New post' }).click();
    await audit();
    // An empty submit shows the errors next to the fields, announced.
    await page.getByLabel('Title').fill('   ');
    await page.getByLabel('Body').fill('kept');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('Please correct the field');
    await audit();
    await page.getByLabel('Title').fill('Gardening notes');
    await page
      .getByLabel('Body')
      .fill(
        '## Tomatoes\n\nWater **deeply**, not often.\n\n- stake them\n- pinch the suckers\n\n[More](https://example.com)',
      );
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    expect(await page.locator('.post__body h2').textContent()).toBe('Tomatoes');
    expect(await page.locator('.post__body strong').textContent()).toBe('deeply');
    expect(await page.locator('.post__body li').count()).toBe(2);
    expect(await page.locator('.post__body a').getAttribute('rel')).toBe('nofollow ugc noopener');
    await audit();

    await page.getByRole('link', { name: 'Edit' }).click();
    await audit();
    await page.getByLabel('Title').fill('Gardening notes, revised');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    expect(await page.locator('h1').textContent()).toBe('Gardening notes, revised');
    // Changed minutes after writing: "edited" would tell the reader nothing, so it is not said.
    expect(await page.locator('.edited').count()).toBe(0);

    await page.getByRole('link', { name: 'Delete' }).click();
    await audit();
    await page.getByRole('button', { name: 'Delete post' }).click();
    await page.waitForURL(`${served.baseUrl}/posts`);
    expect(await flashText(page)).toContain('has been deleted');
    expect(await page.getByRole('link', { name: 'Gardening notes, revised' }).count()).toBe(0);
    await audit();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('save a post for later while anonymous, log in, find it in the reading list', async () => {
    // The author and the post are the setting, not the subject: made through the JSON API.
    const setup = await browser.newContext();
    await registerIn(setup, served.baseUrl, 'author2');
    await publish(setup, served.baseUrl, 'Worth reading later', 'A long read.');
    await setup.close();

    const { context, page, audit, problems } = await auditedContext(browser);
    await page.goto(`${served.baseUrl}/posts`);
    await audit();
    expect(await context.cookies()).toEqual([]);
    await page.locator('.post-summary__title').getByRole('link', { name: 'Worth reading later' }).click();
    await audit();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save for later' }).click()]);
    expect(await flashText(page)).toContain('Saved to your reading list.');
    expect((await context.cookies()).map((c) => c.name)).toEqual(['folio.sid']);

    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await logInOnPage(page, 'author2');
    await page.waitForURL(`${served.baseUrl}/posts`);
    await page.getByRole('link', { name: 'Reading list' }).click();
    await audit();
    expect(await page.locator('main').textContent()).toContain('Worth reading later');
    await page.getByRole('button', { name: /Remove/ }).click();
    expect(await page.getByText('Nothing saved yet.').count()).toBe(1);
    await audit();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('two browsers as one user: revoking the other device sends it to login on its next click', async () => {
    const a = await auditedContext(browser);
    const b = await auditedContext(browser);
    await registerIn(a.context, served.baseUrl, 'twodevices');
    await a.page.goto(`${served.baseUrl}/posts`);
    await b.page.goto(`${served.baseUrl}/auth/login`);
    await logInOnPage(b.page, 'twodevices', { remember: true });
    await b.page.waitForURL(`${served.baseUrl}/posts`);

    await a.page.getByText('Account', { exact: true }).click();
    await a.page.getByRole('link', { name: 'Settings' }).click();
    await a.audit();
    // issue 25: Settings is an overview; Devices is one of its pages.
    await a.page.locator('.settings-list').getByRole('link', { name: 'Devices' }).click();
    await a.page.waitForURL(`${served.baseUrl}/account/sessions`);
    expect(await a.page.locator('.session').count()).toBe(2);
    expect(await a.page.locator('.session--current').textContent()).toContain('This device');
    await Promise.all([
      a.page.waitForNavigation(),
      a.page
        .locator('.session:not(.session--current)')
        .getByRole('button', { name: /Sign out/ })
        .click(),
    ]);
    await a.page.waitForLoadState('load');
    expect(await flashText(a.page)).toContain('That device has been signed out.');
    expect(await a.page.locator('.session').count()).toBe(1);

    await b.page.getByRole('link', { name: 'New post' }).click();
    await b.page.waitForURL(/\/auth\/login\?next=%2Fposts%2Fnew$/);
    expect(await b.page.locator('header').textContent()).toContain('Sign in');
    await b.audit();

    await a.page.goto(`${served.baseUrl}/account/sessions`);
    await a.page.goto(`${served.baseUrl}/account/password`);
    await a.audit();
    await a.page.goto(`${served.baseUrl}/no/such/page`);
    await a.audit();
    expect([...a.problems, ...b.problems]).toEqual([]);
    await a.context.close();
    await b.context.close();
  });

  it('the main flow by keyboard alone: skip link, visible focus, log in with Enter', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${served.baseUrl}/posts`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { style: style.outlineStyle, width: style.outlineWidth, top: el.getBoundingClientRect().top };
    });
    expect(outline.style).not.toBe('none');
    expect(Number.parseFloat(outline.width)).toBeGreaterThanOrEqual(2);
    expect(outline.top).toBeGreaterThanOrEqual(0); // on screen once focused
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    // Tab through the header to "Log in" and follow it with Enter.
    await page.goto(`${served.baseUrl}/posts`);
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Sign in') break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(`${served.baseUrl}/auth/login`);
    // The username field has focus on arrival; type, Tab, type, Enter.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-username');
    await page.keyboard.type('writer');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${served.baseUrl}/posts`);
    expect(await page.locator('header').textContent()).toContain('Signed in as writer');
    await context.close();
  });

  it('pages have distinct titles and a language', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const titles = new Set<string>();
    for (const path of ['/posts', '/auth/login', '/auth/register', '/reading-list', '/auth/logout', '/nope']) {
      await page.goto(`${served.baseUrl}${path}`);
      titles.add(await page.title());
      expect(await page.getAttribute('html', 'lang')).toBe('en');
    }
    expect(titles.size).toBe(6);
    await context.close();
  });
});
