/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XSS_PAYLOADS } from '../posts/xss-payloads';
import { logInOnPage, PASSWORD, registerIn } from './accounts';
import { auditedContext } from './axe';
import { releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';

/** Issue 15's pages in Chromium: written and read through the real forms, every page axe-clean (any impact). */
let browser: Browser;
let served: ServedApp;

beforeAll(async () => {
  [browser, served] = await Promise.all([sharedBrowser(), serveTestApp()]);
});
afterAll(async () => {
  await releaseBrowser(browser);
  await served?.close();
});

describe('the blog in Chromium', () => {
  it('write with tags, save a draft, a 422 that keeps input; drafts, search, tag and author pages; comment and delete', async () => {
    const { context, page, audit, problems } = await auditedContext(browser);
    // Signing up is not what this test is about (auth-flow.e2e.ts drives the form).
    await registerIn(context, served.baseUrl, 'browserwriter');

    await page.goto(`${served.baseUrl}/posts/new`);
    await audit();
    await page.getByLabel('Title').fill('Cookies in the browser');
    await page.getByLabel('Body', { exact: true }).fill('A post about **cookies** and sessions.');
    await page.getByLabel('Tags (optional)').fill('Cookies, Node.js');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    const postUrl = page.url();
    expect(await page.locator('.tag-list a').allTextContents()).toEqual(['Tag: #cookies', 'Tag: #node-js']);
    await audit();

    await page.goto(`${served.baseUrl}/posts/new`);
    await page.getByLabel('Title').fill('Half-written thoughts');
    await page.getByLabel('Body', { exact: true }).fill('Not ready.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    await expect.poll(() => page.locator('.post__status').textContent()).toContain('Draft');
    await audit();

    // A 422 keeps the input.
    await page.goto(`${served.baseUrl}/posts/new`);
    await page.getByLabel('Title').fill('Too many tags');
    await page.getByLabel('Body', { exact: true }).fill('x');
    await page.getByLabel('Tags (optional)').fill('a, b, c, d, e, f');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByLabel('Tags (optional)').inputValue()).toBe('a, b, c, d, e, f');
    await audit();

    await page.goto(`${served.baseUrl}/drafts`);
    expect(await page.locator('.post-summary__title').allTextContents()).toEqual(['Half-written thoughts']);
    await audit();
    await page.getByRole('link', { name: 'Edit “Half-written thoughts”' }).click();
    await page.waitForURL(/\/edit$/);
    expect(await page.getByLabel('Title').inputValue()).toBe('Half-written thoughts');
    await audit();

    await page.getByLabel('Search posts').first().fill('cookies');
    await page.getByRole('button', { name: 'Search' }).first().click();
    await page.waitForURL(/\/search\?q=cookies/);
    expect(await page.locator('.post-summary__title').allTextContents()).toEqual(['Cookies in the browser']);
    await audit();
    await page.goto(`${served.baseUrl}/search`);
    await audit();

    await page.goto(`${served.baseUrl}/tags/node-js`);
    expect(await page.locator('.post-summary__title').allTextContents()).toEqual(['Cookies in the browser']);
    await audit();
    await page.goto(`${served.baseUrl}/users/browserwriter`);
    await audit();

    await page.goto(postUrl);
    await page.getByLabel('Add a comment').fill('My own *first* comment.');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForURL(/#comment-[a-f0-9]{24}$/);
    expect(await page.locator('.comment__body').first().innerHTML()).toContain('<em>first</em>');
    await audit();
    // Asked first (issue 25), on its own page.
    await page.getByRole('link', { name: 'Delete comment by browserwriter' }).click();
    await page.getByRole('heading', { name: 'Delete this comment?' }).waitFor();
    await audit();
    await page.getByRole('button', { name: 'Delete comment' }).click();
    await page.waitForURL(/#comments$/);
    expect(await page.locator('.comment').count()).toBe(0);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('an anonymous reader: "Log in to comment" comes back to the post; feeds are linked in the head', async () => {
    const { context, page, audit, problems } = await auditedContext(browser);
    await page.goto(`${served.baseUrl}/posts`);
    const first = page.locator('.post-summary__title a').first();
    await first.click();
    await page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    const postUrl = page.url();
    await audit();
    expect(await page.locator('link[rel="alternate"]').count()).toBeGreaterThanOrEqual(2);
    await page.getByRole('link', { name: 'Sign in to comment' }).click();
    await logInOnPage(page, 'browserwriter');
    await page.waitForURL(postUrl);
    expect(await page.getByLabel('Add a comment').count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the XSS corpus in comments opens no dialog, even with the CSP off', async () => {
    const agent = request.agent(served.baseUrl);
    await agent.post('/auth/register').send({ username: 'xsscommenter', password: PASSWORD });
    const post = await agent.post('/posts').send({ title: 'Comment on me', body: 'x' });
    const id = post.body.post.id as string;
    // Ten comments a minute per user: a few users share the corpus, eight payloads each (one sign-up each,
    // rather than a sign-in for every payload).
    let who = request.agent(served.baseUrl);
    for (const [i, payload] of XSS_PAYLOADS.entries()) {
      if (i % 8 === 0) {
        who = request.agent(served.baseUrl);
        expect((await who.post('/auth/register').send({ username: `xss${i}`, password: PASSWORD })).status).toBe(201);
      }
      expect((await who.post(`/posts/${id}/comments`).send({ body: payload })).status).toBe(201);
    }
    const { context, page, problems } = await auditedContext(browser);
    await page.goto(`${served.baseUrl}/posts/${id}`);
    await page.waitForLoadState('load');
    for (let i = 0; i < 10; i++) await page.keyboard.press('Tab');
    expect(await page.locator('.comment').count()).toBe(XSS_PAYLOADS.length);
    expect(await page.locator('.comments script, .comments iframe, .comments img, .comments svg').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
