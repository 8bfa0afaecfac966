import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/factors/totp';
import { registerOnPage } from './accounts';
import { allViolations } from './axe';
import { releaseBrowser, type ServedApp, serveTestApp, sharedBrowser } from './browser';
import { readmeShot } from './readme-shots';

/**
 * Issue 16 — authenticator codes in Chromium: turn them on from the QR page's key, keep the recovery codes,
 * then sign in by keyboard alone through the second step (a wrong code first, then the right one; a recovery
 * code another time). Every page axe clean at every impact.
 */

let browser: Browser;
let t: ServedApp;
beforeAll(async () => {
  [browser, t] = await Promise.all([sharedBrowser(), serveTestApp()]);
});
afterAll(async () => {
  await releaseBrowser(browser);
  await t?.close();
});

const PASSWORD = 'ochre kettle on the windowsill';

async function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

describe('authenticator codes in Chromium', () => {
  it('turn on, then a keyboard-only sign-in through the second step; a recovery code once', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const audit = async () => {
      for (const v of await allViolations(page))
        problems.push(`${page.url()} ${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
    };

    await registerOnPage(page, t.baseUrl, 'codey', { password: PASSWORD });

    await page.goto(`${t.baseUrl}/account/two-factor`);
    await audit();
    await readmeShot(page, 'two-factor-setup.png');
    const qr = page.getByRole('img', { name: /QR code/ });
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The previous step's code (±1 is accepted): the current one stays unused for the sign-in below.
    await page.getByLabel('6-digit code').fill(totpCode(secret, Date.now() - 30_000));
    await page.getByRole('button', { name: 'Turn on authenticator codes' }).click();
    await page.waitForSelector('text=This is the only time they are shown');
    await audit();
    const recoveryCodes = await page.locator('.recovery-codes code').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await page.getByRole('link', { name: 'I have saved them' }).click();
    expect(await page.textContent('main')).toContain('10 unused recovery codes');
    await audit();

    await page.locator('summary', { hasText: 'Account' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/auth\/login\?signed_out=1$/);

    // Keyboard only from here: the username field has focus on arrival.
    expect(await focusedId(page)).toBe('field-username');
    await page.keyboard.type('codey');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('field-password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.baseUrl}/auth/two-factor`);
    await audit();
    expect(await focusedId(page)).toBe('field-code');
    // Not signed in yet.
    expect((await page.request.get(`${t.baseUrl}/auth/profile`)).status()).toBe(401);

    await page.keyboard.type('000000');
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=That code is not right');
    await audit();
    await readmeShot(page, 'two-factor-step.png');
    // The error summary has focus; its link takes the keyboard to the field.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await focusedId(page)).toBe('field-code');
    await page.keyboard.type(totpCode(secret, Date.now()));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.baseUrl}/posts`);
    expect(await page.textContent('main')).toContain('Signed in as codey');

    // Another time, with the phone lost: a recovery code, once.
    await page.locator('summary', { hasText: 'Account' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/auth\/login\?signed_out=1$/);
    await page.getByLabel('Username').fill('codey');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${t.baseUrl}/auth/two-factor`);
    // The code field brings up a number pad; a recovery code has its own field, with a text keyboard.
    expect(await page.getByLabel('6-digit code').getAttribute('inputmode')).toBe('numeric');
    await page.getByText('Lost your phone? Use a recovery code').click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0] ?? '');
    await page.getByRole('button', { name: 'Sign in with a recovery code' }).click();
    await page.waitForURL(`${t.baseUrl}/posts`);
    expect(await page.textContent('main')).toContain('You used a recovery code: 9 left');
    await audit();

    expect(problems).toEqual([]);
    await context.close();
  });
});
