/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';

/**
 * Screenshots of the main pages, made by the suite so they always show the real thing. An ordinary
 * `npm run test:e2e` writes them to test-results/screenshots (ignored by git), so running the tests never
 * leaves the tree dirty; `npm run screenshots` sets FOLIO_SCREENSHOTS_DIR=docs/screenshots to refresh the
 * README's pictures on purpose.
 */
const OUT = path.resolve(projectRoot, process.env.FOLIO_SCREENSHOTS_DIR ?? path.join('test-results', 'screenshots'));
/** Not a common password (registration refuses those). */
const PASSWORD = 'a long demo passphrase';

const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
} satisfies Record<string, BrowserContextOptions>;

const POSTS = [
  {
    title: 'What the session cookie holds',
    tags: 'cookies, sessions',
    body: 'Only an id. The session itself — who you are, your reading list, your flash messages — lives in MongoDB, so any number of Folio processes can serve you, and signing out deletes it for good.\n\n## Three attributes that matter\n\n- **HttpOnly**: scripts cannot read it\n- **SameSite=Lax**: other sites cannot post with it\n- **Secure** with the `__Host-` prefix in production: no subdomain can plant one\n\n> A new id at every sign-in makes a planted id worthless.\n\n```js\nreq.session.regenerate(() => { /* … */ });\n```',
  },
  {
    title: 'Notes from the allotment, late November',
    tags: 'garden',
    body: 'The last leeks are up and the garlic is in. Frost came early this year, so the dahlias are lifted and drying in the shed.\n\nNext spring: fewer courgettes, more beans.',
  },
  {
    title: 'On reading slowly',
    body: 'A reading list that lives in your session is a small thing, but it means you can save a post before you ever make an account — and it follows you when you do.',
  },
  {
    title: 'Why Folio renders Markdown once',
    body: 'Rendering and sanitising a long post takes milliseconds; reading stored HTML takes none. So Folio renders on save, keeps the result beside the source, and every page view is just a lookup.',
  },
];

let browser: Browser;
let served: ServedApp;
let postPath: string;
let cookie: string;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  [browser, served] = await Promise.all([sharedBrowser(), serveTestApp()]);
  const agent = request.agent(served.baseUrl);
  await agent
    .post('/auth/register')
    .set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')
    .send({ username: 'alice', password: PASSWORD });
  for (const post of [...POSTS].reverse()) {
    const res = await agent.post('/posts').send(post);
    postPath = `/posts/${res.body.post.id}`;
  }
  // A second device, so the sessions page shows what it is for.
  await request(served.baseUrl)
    .post('/auth/login')
    .set(
      'User-Agent',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    )
    .send({ username: 'alice', password: PASSWORD });
  const login = await request(served.baseUrl)
    .post('/auth/login')
    .set(
      'User-Agent',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    )
    .send({ username: 'alice', password: PASSWORD });
  cookie = /folio\.sid=([^;]+)/.exec(String(login.headers['set-cookie']))?.[1] ?? '';
});
afterAll(async () => {
  await releaseBrowser(browser);
  await served?.close();
});

async function shoot(
  name: string,
  urlPath: string,
  device: keyof typeof VIEWPORTS,
  scheme: 'light' | 'dark',
  signedIn: boolean,
) {
  const context = await browser.newContext({ ...VIEWPORTS[device], colorScheme: scheme });
  if (signedIn) await context.addCookies([{ name: 'folio.sid', value: cookie, url: served.baseUrl }]);
  const page = await context.newPage();
  await page.goto(`${served.baseUrl}${urlPath}`);
  const file = path.join(OUT, `${name}-${device}-${scheme}.png`);
  await page.screenshot({ path: file });
  await context.close();
  return file;
}

describe('screenshots', () => {
  it('main pages at 1280 px and 390 px, light and dark', async () => {
    const shots = [
      await shoot('posts', '/posts', 'desktop', 'light', false),
      await shoot('posts', '/posts', 'desktop', 'dark', false),
      await shoot('posts', '/posts', 'phone', 'light', false),
      await shoot('posts', '/posts', 'phone', 'dark', false),
      await shoot('post', postPath, 'desktop', 'light', true),
      await shoot('post', postPath, 'phone', 'dark', true),
      await shoot('sessions', '/account/sessions', 'desktop', 'light', true),
      await shoot('sessions', '/account/sessions', 'phone', 'dark', true),
      await shoot('login', '/auth/login', 'phone', 'light', false),
      await shoot('new-post', '/posts/new', 'desktop', 'dark', true),
      await shoot('search', '/search?q=session', 'desktop', 'light', false),
      await shoot('tag', '/tags/cookies', 'phone', 'light', false),
    ];
    expect(shots).toHaveLength(12);
  });

  it('nothing overflows sideways on a 360 px phone', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    await context.addCookies([{ name: 'folio.sid', value: cookie, url: served.baseUrl }]);
    const page = await context.newPage();
    for (const p of [
      '/posts',
      postPath,
      '/account/sessions',
      '/posts/new',
      '/auth/login',
      '/search?q=session',
      '/tags/cookies',
      '/drafts',
    ]) {
      await page.goto(`${served.baseUrl}${p}`);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, p).toBeLessThanOrEqual(0);
    }
    await context.close();
  });
});
