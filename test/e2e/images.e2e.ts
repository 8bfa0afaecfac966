/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIn } from './accounts';
import { auditedContext } from './axe';
import { releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';

/** Issue 23 in Chromium: "Add an image" by keyboard, then the post at phone and desktop widths. */
let browser: Browser;
let served: ServedApp;

beforeAll(async () => {
  [browser, served] = await Promise.all([sharedBrowser(), serveTestApp()]);
});
afterAll(async () => {
  await releaseBrowser(browser);
  await served?.close();
});

/** The first picture of the post body as the browser has it, once it has loaded. */
async function bodyImage(page: Page) {
  const img = page.locator('.post__body img').first();
  await img.scrollIntoViewIfNeeded();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
  return img.evaluate((el: HTMLImageElement) => ({
    width: el.getAttribute('width'),
    height: el.getAttribute('height'),
    loading: el.getAttribute('loading'),
    alt: el.alt,
    currentSrc: new URL(el.currentSrc).pathname,
    shownWidth: el.getBoundingClientRect().width,
    shownHeight: el.getBoundingClientRect().height,
    viewport: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
  }));
}

describe('pictures in Chromium', () => {
  it('adds an image with alt text from the editor by keyboard; the post shows it at 320 and 1280 px, sized, axe-clean', async () => {
    const { context, page, audit, problems } = await auditedContext(browser);
    await registerIn(context, served.baseUrl, 'picturewriter');
    const photo = await sharp({ create: { width: 1800, height: 1200, channels: 3, background: '#c0392b' } })
      .jpeg()
      .toBuffer();

    await page.goto(`${served.baseUrl}/posts/new`);
    await expect.poll(() => page.locator('[data-image-upload]').isVisible()).toBe(true);
    await audit();
    await page.getByLabel('Title').fill('A red kite');
    await page.getByLabel('Body', { exact: true }).fill('Seen over the hill this morning.');

    // Upload without alt text: refused in place, focus on the alt field.
    await page.getByLabel('Picture').focus();
    await page.getByLabel('Picture').setInputFiles({ name: 'kite.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Upload and insert');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-image-upload-status]').textContent()).toMatch(/alt text first/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('image-upload-alt');
    await audit();

    // With alt text: Enter in the alt field uploads (it does not publish the post) and inserts the Markdown.
    await page.keyboard.type('A red kite over a green hill');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('[data-image-upload-status]').textContent(), { timeout: 15_000 })
      .toBe('Inserted “A red kite over a green hill” into the body.');
    const body = await page.getByLabel('Body', { exact: true }).inputValue();
    expect(body).toMatch(
      /^Seen over the hill this morning\.\n\n!\[A red kite over a green hill\]\(\/images\/[0-9a-f]{32}\)\n\n$/,
    );
    expect(page.url()).toMatch(/\/posts\/new$/);
    await audit();

    // The same picture as the cover, by keyboard.
    await page.getByRole('button', { name: 'Use it as the cover image' }).focus();
    await page.keyboard.press('Space');
    expect(await page.getByLabel('Cover image (optional)').inputValue()).toMatch(/^\/images\/[0-9a-f]{32}$/);

    await page.getByRole('button', { name: 'Publish' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    const postUrl = page.url();

    const desktop = await bodyImage(page);
    expect(desktop).toMatchObject({
      width: '1800',
      height: '1200',
      loading: 'lazy',
      alt: 'A red kite over a green hill',
    });
    // Aspect ratio kept (no distortion), the column's width, never wider than the page.
    expect(Math.abs(desktop.shownWidth / desktop.shownHeight - 1.5)).toBeLessThan(0.02);
    expect(desktop.scrollWidth).toBeLessThanOrEqual(desktop.viewport);
    expect(await page.locator('.cover-image').getAttribute('width')).toBe('1800');
    await audit();

    // A reader on a phone (a fresh browser, nothing cached, not signed in).
    const reader = await auditedContext(browser);
    await reader.page.setViewportSize({ width: 320, height: 640 });
    await reader.page.goto(postUrl);
    const phone = await bodyImage(reader.page);
    expect(phone).toMatchObject({ width: '1800', height: '1200' });
    expect(phone.shownWidth).toBeLessThanOrEqual(320);
    expect(phone.scrollWidth).toBeLessThanOrEqual(320);
    // A phone is sent the small WebP, not the 1800 px fallback.
    expect(phone.currentSrc).toMatch(/\/480\.webp$/);
    await reader.audit();
    expect(reader.problems).toEqual([]);
    await reader.context.close();

    // The front page lists the post with its cover.
    await page.goto(`${served.baseUrl}/posts`);
    expect(await page.locator('.post-summary .cover-image').count()).toBe(1);
    await audit();

    expect(problems).toEqual([]);
    await context.close();
  });
});
