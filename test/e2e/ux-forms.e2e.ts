/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, registerIn } from './accounts';
import { releaseBrowser, sharedBrowser } from './browser';
import { LOOKS, type Look, lookName, openLook, publish, serveUxApp, type UxApp } from './ux-support';

/**
 * Issue 12, "must show" 3 and 4: every form's 422 the GOV.UK way (error summary focused, "Error:" in the
 * title, the invalid field visibly marked, the summary's link reaching the field, input kept but never a
 * password), and the login throttle that warns before the pause and then shows the form with the time.
 */

let browser: Browser;
let app: UxApp;
let postId: string;
let cookies: Awaited<ReturnType<Awaited<ReturnType<Browser['newContext']>>['cookies']>>;

beforeAll(async () => {
  [browser, app] = await Promise.all([sharedBrowser(), serveUxApp()]);
  const setup = await browser.newContext();
  await registerIn(setup, app.baseUrl, 'formfiller');
  postId = await publish(setup, app.baseUrl, 'A post with forms', 'Comment on me.');
  cookies = await setup.cookies();
  await setup.close();
}, 180_000);
afterAll(async () => {
  await releaseBrowser(browser);
  await app?.close();
});

interface FormCase {
  readonly name: string;
  readonly path: () => string;
  readonly signedIn: boolean;
  /** Fills the form wrongly; returns the id of the field that must be reported first. */
  readonly fill: (page: Page) => Promise<string>;
  readonly submit: string;
  /** A field whose typed value must come back (never a password). */
  readonly kept?: { readonly id: string; readonly value: string };
  readonly passwords?: readonly string[];
}

const FORMS: readonly FormCase[] = [
  {
    name: 'register',
    path: () => '/auth/register',
    signedIn: false,
    fill: async (page) => {
      await page.locator('#field-username').fill('No Spaces Allowed');
      await page.locator('#field-password').fill('short');
      return 'field-username';
    },
    submit: 'Create account',
    kept: { id: 'field-username', value: 'No Spaces Allowed' },
    passwords: ['field-password'],
  },
  {
    name: 'login',
    path: () => '/auth/login',
    signedIn: false,
    fill: async (page) => {
      await page.locator('#field-username').fill('formfiller');
      return 'field-password';
    },
    submit: 'Sign in',
    kept: { id: 'field-username', value: 'formfiller' },
  },
  {
    name: 'new post',
    path: () => '/posts/new',
    signedIn: true,
    fill: async (page) => {
      await page.locator('#field-body').fill('A body without a title.');
      return 'field-title';
    },
    submit: 'Publish',
    kept: { id: 'field-body', value: 'A body without a title.' },
  },
  {
    name: 'edit post',
    path: () => `/posts/${postId}/edit`,
    signedIn: true,
    fill: async (page) => {
      await page.locator('#field-title').fill('');
      await page.locator('#field-body').fill('Edited body.');
      return 'field-title';
    },
    submit: 'Save changes',
    kept: { id: 'field-body', value: 'Edited body.' },
  },
  {
    name: 'comment',
    path: () => `/posts/${postId}`,
    signedIn: true,
    fill: async (page) => {
      await page.locator('#field-body').fill('   ');
      return 'field-body';
    },
    submit: 'Post comment',
  },
  {
    name: 'change password',
    path: () => '/account/password',
    signedIn: true,
    fill: async (page) => {
      await page.locator('#field-currentPassword').fill(PASSWORD);
      await page.locator('#field-newPassword').fill('another long phrase');
      await page.locator('#field-confirmPassword').fill('a different phrase');
      return 'field-confirmPassword';
    },
    submit: 'Change password',
    passwords: ['field-currentPassword', 'field-newPassword', 'field-confirmPassword'],
  },
];

/** The border of an input as drawn (colour and width), to tell a marked field from an unmarked one. */
const borderOf = (page: Page, id: string) =>
  page.locator(`#${id}`).evaluate((el) => {
    const s = getComputedStyle(el);
    return `${s.borderLeftColor} ${s.borderLeftWidth} ${s.borderTopWidth}`;
  });

describe('forms the GOV.UK way (issue 12)', () => {
  FORMS.forEach((form, i) => {
    const look = LOOKS[i % LOOKS.length] as Look;
    it(`${lookName(look)}: ${form.name}: summary focused, "Error:" title, field marked and reachable`, async () => {
      const v = await openLook(browser, look);
      if (form.signedIn) await v.context.addCookies(cookies);
      await v.page.goto(`${app.baseUrl}${form.path()}`);
      const title = await v.page.title();
      expect(title.startsWith('Error:')).toBe(false);
      const field = await form.fill(v.page);
      const clean = await borderOf(v.page, field);
      await Promise.all([
        v.page.waitForNavigation(),
        v.page.getByRole('button', { name: form.submit, exact: true }).click(),
      ]);
      await v.page.waitForLoadState('load');
      // The summary has focus and says what is wrong; the tab title starts with "Error:".
      await expect
        .poll(() => v.page.evaluate(() => document.activeElement?.className ?? ''))
        .toContain('error-summary');
      expect((await v.page.title()).startsWith('Error: ')).toBe(true);
      // The wrong field looks wrong: its border differs from how it was drawn before.
      expect(await borderOf(v.page, field)).not.toBe(clean);
      expect(await v.page.locator(`#${field}`).getAttribute('aria-invalid')).toBe('true');
      // Typed input came back; passwords never do.
      if (form.kept) expect(await v.page.locator(`#${form.kept.id}`).inputValue()).toBe(form.kept.value);
      for (const id of form.passwords ?? []) expect(await v.page.locator(`#${id}`).inputValue()).toBe('');
      // No browser validation bubbles: Folio's own messages, every form novalidate.
      expect(await v.page.locator('main form.form:not([novalidate])').count()).toBe(0);
      await v.check(`${form.name} 422`);
      // The first link of the summary (or, for a wrong password, the summary itself) leads to the field.
      const links = v.page.locator('.error-summary a[href^="#field-"]');
      if ((await links.count()) > 0) {
        await links.first().click();
        expect(await v.page.evaluate(() => document.activeElement?.id)).toBe(field);
      }
      expect(v.problems).toEqual([]);
      await v.context.close();
    });
  });
});

describe('the login throttle has a way on (issue 12)', () => {
  it(`${lookName(LOOKS[1] as Look)}: the 5th wrong password warns; the 6th shows the form and the reopening time`, async () => {
    const v = await openLook(browser, LOOKS[1] as Look);
    await v.page.goto(`${app.baseUrl}/auth/login`);
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      await v.page.locator('#field-username').fill('formfiller');
      await v.page.locator('#field-password').fill(`wrong guess ${attempt}`);
      const [response] = await Promise.all([
        v.page.waitForNavigation(),
        v.page.getByRole('button', { name: 'Sign in', exact: true }).click(),
      ]);
      statuses.push(response?.status() ?? 0);
      const warning = v.page.locator('.notice--warning');
      if (attempt < 4) expect(await warning.count(), `attempt ${attempt}`).toBe(0);
      if (attempt === 5) {
        expect(await warning.textContent()).toContain('last try');
        await v.check('5th wrong password');
      }
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // The 429 keeps the form, says when it reopens (a clock time), and offers the reset.
    expect(await v.page.locator('#field-username').inputValue()).toBe('formfiller');
    const when = v.page.locator('.error-summary time');
    const iso = await when.getAttribute('datetime');
    const reopens = new Date(iso ?? '').getTime();
    expect(reopens).toBeGreaterThan(Date.now());
    expect(reopens).toBeLessThan(Date.now() + 16 * 60_000);
    expect(await when.textContent()).toMatch(/^\d{2}:\d{2} /);
    expect(await v.page.getByRole('link', { name: 'Reset your password' }).count()).toBeGreaterThan(0);
    expect((await v.page.title()).startsWith('Error: ')).toBe(true);
    await v.check('429');
    expect(v.problems).toEqual([]);
    await v.context.close();
  });
});
