/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInOnPage, loginIn, registerIn } from './accounts';
import { releaseBrowser, sharedBrowser } from './browser';
import { LOOKS, type Look, lookName, openLook, publish, serveUxApp, type UxApp } from './ux-support';

/**
 * Issue 12, "must show" 1: nothing typed is lost. A post, an edit or a comment sent from a session that has
 * ended (another device signed it out; the idle timeout passed) is kept, the writer logs in again and finds
 * the form filled in. A form with a stale or tampered token gets a page that explains and sends it again.
 */

let browser: Browser;
let app: UxApp;
let n = 0;

beforeAll(async () => {
  [browser, app] = await Promise.all([sharedBrowser(), serveUxApp()]);
}, 180_000);
afterAll(async () => {
  await releaseBrowser(browser);
  await app?.close();
});

/** Another device of the same user signs out every other device (through the API, as a script would). */
async function signOutFromElsewhere(username: string): Promise<void> {
  const other = await browser.newContext();
  await loginIn(other, app.baseUrl, username);
  const res = await other.request.post(`${app.baseUrl}/account/sessions/revoke-others`, { data: {} });
  expect(res.status()).toBe(200);
  await other.close();
}

const TITLE = 'Notes written on the train';
const BODY = 'Three paragraphs of careful thought.\n\nThe second one.\n\nAnd the third, with **emphasis**.';

/** Run each story at a width and theme of its own, so together they cover all six. */
const look = (i: number): Look => LOOKS[i % LOOKS.length] as Look;

describe('nothing typed is lost (issue 12)', () => {
  it(`${lookName(look(0))}: a new post, signed out from another device, is there again after logging in`, async () => {
    const v = await openLook(browser, look(0));
    const user = `writer${++n}`;
    await registerIn(v.context, app.baseUrl, user);
    await v.page.goto(`${app.baseUrl}/posts/new`);
    await v.page.getByLabel('Title').fill(TITLE);
    await v.page.getByLabel('Body').fill(BODY);
    await signOutFromElsewhere(user);

    await v.page.getByRole('button', { name: 'Publish' }).click();
    await v.page.waitForURL(/\/auth\/login\?next=%2Fposts%2Fnew$/);
    const notice = await v.page.locator('main .notice').first().textContent();
    expect(notice).toContain('You were signed out on another device');
    expect(notice).toContain('What you wrote is kept');
    await v.check('login after revocation');

    await logInOnPage(v.page, user);
    await v.page.waitForURL(`${app.baseUrl}/posts/new`);
    expect(await v.page.getByLabel('Title').inputValue()).toBe(TITLE);
    expect(await v.page.getByLabel('Body').inputValue()).toBe(BODY);
    expect(await v.page.locator('.flash', { hasText: 'Here is what you wrote' }).count()).toBe(1);
    await v.check('form filled in again');
    await v.page.getByRole('button', { name: 'Publish' }).click();
    await v.page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    expect(await v.page.locator('h1').textContent()).toBe(TITLE);
    // Kept once: the form is empty the next time.
    await v.page.goto(`${app.baseUrl}/posts/new`);
    expect(await v.page.getByLabel('Title').inputValue()).toBe('');
    expect(v.problems).toEqual([]);
    await v.context.close();
  });

  it(`${lookName(look(3))}: a new post after the idle timeout (controllable clock) is there again after logging in`, async () => {
    const v = await openLook(browser, look(3));
    const user = `writer${++n}`;
    await registerIn(v.context, app.baseUrl, user);
    await v.page.goto(`${app.baseUrl}/posts/new`);
    await v.page.getByLabel('Title').fill(TITLE);
    await v.page.getByLabel('Body').fill(BODY);
    app.clock.now += 31 * 60_000; // SESSION_IDLE_MINUTES is 30
    try {
      await v.page.getByRole('button', { name: 'Publish' }).click();
      await v.page.waitForURL(/\/auth\/login\?next=%2Fposts%2Fnew$/);
      expect(await v.page.locator('main .notice').first().textContent()).toContain('Your session expired');
      // Said once, not twice (the timeout's own notice is folded into the login page's).
      expect(await v.page.getByText(/session expired/i).count()).toBe(1);
      await v.check('login after expiry');
      await logInOnPage(v.page, user);
      await v.page.waitForURL(`${app.baseUrl}/posts/new`);
      expect(await v.page.getByLabel('Title').inputValue()).toBe(TITLE);
      expect(await v.page.getByLabel('Body').inputValue()).toBe(BODY);
      await v.check('form filled in again');
    } finally {
      app.clock.now = Date.now();
    }
    expect(v.problems).toEqual([]);
    await v.context.close();
  });

  it(`${lookName(look(4))}: an edit, signed out from another device, is there again after logging in`, async () => {
    const v = await openLook(browser, look(4));
    const user = `writer${++n}`;
    await registerIn(v.context, app.baseUrl, user);
    const id = await publish(v.context, app.baseUrl, 'First draft title', 'First body.');
    await v.page.goto(`${app.baseUrl}/posts/${id}/edit`);
    await v.page.getByLabel('Title').fill('A much better title');
    await v.page.getByLabel('Body').fill('A much better body.');
    await signOutFromElsewhere(user);
    await v.page.getByRole('button', { name: 'Save changes' }).click();
    await v.page.waitForURL(new RegExp(`/auth/login\\?next=%2Fposts%2F${id}%2Fedit$`));
    await logInOnPage(v.page, user);
    await v.page.waitForURL(`${app.baseUrl}/posts/${id}/edit`);
    expect(await v.page.getByLabel('Title').inputValue()).toBe('A much better title');
    expect(await v.page.getByLabel('Body').inputValue()).toBe('A much better body.');
    await v.check('edit filled in again');
    expect(v.problems).toEqual([]);
    await v.context.close();
  });

  it(`${lookName(look(1))}: a comment, signed out from another device, is there again after logging in`, async () => {
    const v = await openLook(browser, look(1));
    const user = `reader${++n}`;
    await registerIn(v.context, app.baseUrl, user);
    const id = await publish(v.context, app.baseUrl, 'A post to discuss', 'Say something.');
    await v.page.goto(`${app.baseUrl}/posts/${id}`);
    const comment = 'I disagree, and here is a long and careful reason why.';
    await v.page.getByLabel('Add a comment').fill(comment);
    await signOutFromElsewhere(user);
    await v.page.getByRole('button', { name: 'Post comment' }).click();
    await v.page.waitForURL(/\/auth\/login\?next=/);
    expect(await v.page.locator('main .notice').first().textContent()).toContain(
      'You were signed out on another device',
    );
    await logInOnPage(v.page, user);
    await v.page.waitForURL(`${app.baseUrl}/posts/${id}#comments`);
    expect(await v.page.getByLabel('Add a comment').inputValue()).toBe(comment);
    await v.check('comment filled in again');
    await v.page.getByRole('button', { name: 'Post comment' }).click();
    await expect.poll(() => v.page.locator('.comment').count()).toBe(1);
    expect(v.problems).toEqual([]);
    await v.context.close();
  });

  it(`${lookName(look(2))}: a tampered CSRF token gets a page that explains and sends the form again`, async () => {
    const v = await openLook(browser, look(2));
    const user = `writer${++n}`;
    await registerIn(v.context, app.baseUrl, user);
    await v.page.goto(`${app.baseUrl}/posts/new`);
    await v.page.getByLabel('Title').fill(TITLE);
    await v.page.getByLabel('Body').fill(BODY);
    await v.page.evaluate(() => {
      for (const input of Array.from(document.querySelectorAll<HTMLInputElement>('main input[name="_csrf"]')))
        input.value = 'forged';
    });
    const [response] = await Promise.all([
      v.page.waitForNavigation(),
      v.page.getByRole('button', { name: 'Publish' }).click(),
    ]);
    expect(response?.status()).toBe(403);
    expect(await v.page.locator('h1').textContent()).toBe('Please send that again');
    await v.check('stale form page');
    await v.page.getByRole('button', { name: 'Send it again' }).click();
    await v.page.waitForURL(/\/posts\/[a-f0-9]{24}$/);
    expect(await v.page.locator('h1').textContent()).toBe(TITLE);
    // A script still gets a bare 403 for the same mistake.
    const json = await v.context.request.post(`${app.baseUrl}/posts`, {
      form: { title: 'x', body: 'y', _csrf: 'forged' },
      headers: { Accept: 'application/json' },
    });
    expect(json.status()).toBe(403);
    expect(await json.json()).toMatchObject({ error: expect.stringMatching(/CSRF/) });
    expect(v.problems).toEqual([]);
    await v.context.close();
  });

  it(`${lookName(look(5))}: every stop has a way on: reasons on the login page, signed-in visitors sent on`, async () => {
    const v = await openLook(browser, look(5));
    await v.page.goto(`${app.baseUrl}/posts/new`);
    await v.page.waitForURL(/\/auth\/login\?next=%2Fposts%2Fnew$/);
    expect(await v.page.locator('main .notice').first().textContent()).toContain('Sign in to write a post');
    await v.check('log in to write');
    const user = `writer${++n}`;
    await registerIn(v.context, app.baseUrl, user);
    for (const path of ['/auth/login', '/auth/register']) {
      await v.page.goto(`${app.baseUrl}${path}`);
      await v.page.waitForURL(`${app.baseUrl}/posts`);
      expect(await v.page.locator('.flash').textContent()).toContain(`already signed in as ${user}`);
    }
    await v.page.goto(`${app.baseUrl}/auth/login?next=%2Freading-list`);
    await v.page.waitForURL(`${app.baseUrl}/reading-list`);
    // An expired session says so, with a link to log in.
    app.clock.now += 31 * 60_000;
    try {
      await v.page.goto(`${app.baseUrl}/posts`);
      const flash = v.page.locator('.flash');
      expect(await flash.textContent()).toContain('Your session expired');
      await flash.getByRole('link', { name: 'Sign in', exact: true }).click();
      await v.page.waitForURL(/\/auth\/login/);
    } finally {
      app.clock.now = Date.now();
    }
    expect(v.problems).toEqual([]);
    await v.context.close();
  });
});
