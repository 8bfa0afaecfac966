import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XSS_PAYLOADS } from '../posts/xss-payloads';
import { releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';

let browser: Browser;
let served: ServedApp;
const ids: string[] = [];

beforeAll(async () => {
  [browser, served] = await Promise.all([sharedBrowser(), serveTestApp()]);
  // Two accounts: one alone would reach the per-user posting limit before the corpus is through.
  const agent = request.agent(served.baseUrl);
  const second = request.agent(served.baseUrl);
  await agent.post('/auth/register').send({ username: 'attacker', password: 'an uncommon passphrase' });
  await second.post('/auth/register').send({ username: 'attacker2', password: 'an uncommon passphrase' });
  for (const [i, payload] of XSS_PAYLOADS.entries()) {
    const res = await (i % 2 === 0 ? agent : second)
      .post('/posts')
      .send({ title: `${i} ${payload}`.slice(0, 200), body: `${payload}\n\n${payload}` });
    ids.push(res.body.post.id);
  }
});
afterAll(async () => {
  await releaseBrowser(browser);
  await served?.close();
});

describe('the XSS corpus in a real browser', () => {
  it('opens no dialog on any post, list or author page — even with the CSP switched off', async () => {
    // bypassCSP: the sanitiser alone must hold; the CSP is a second line, tested on its own.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', async (d) => {
      dialogs.push(`${page.url()}: ${d.message()}`);
      await d.dismiss();
    });
    const paths = [
      ...ids.map((id) => `/posts/${id}`),
      ...[1, 2, 3, 4].flatMap((n) => [`/posts?page=${n}`, `/users/attacker?page=${n}`, `/users/attacker2?page=${n}`]),
    ];
    for (const path of paths) {
      await page.goto(`${served.baseUrl}${path}`);
      // Give onload/onerror/autofocus handlers a chance to fire, and focus every focusable thing.
      await page.waitForLoadState('load');
      for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
    }
    expect(dialogs).toEqual([]);
    await context.close();
  });
});
