import type { BrowserContext, Page } from 'playwright-core';

/**
 * Accounts for the browser tests, in one place (these helpers were copied into several files). A test that is
 * not about signing up or signing in gets its account through the JSON endpoints, in the browser context's
 * own cookie jar (a few hundred ms less than the form, every test); the forms are driven, by registerOnPage()
 * and logInOnPage(), in the tests that are about them.
 */

/** The suites' usual password: registration accepts it. */
export const PASSWORD = 'correct horse battery';

export interface AccountOptions {
  readonly password?: string;
  /**
   * The zone to report, as the forms' script reports the browser's own (the context's timezoneId): a test
   * whose pages show times in the reader's zone signs up as that browser would have.
   */
  readonly timeZone?: string;
}

function credentials(username: string, options: AccountOptions) {
  return {
    username,
    password: options.password ?? PASSWORD,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  };
}

/** Registers through the JSON endpoint in this context's cookie jar (the browser is then signed in). */
export async function registerIn(
  context: BrowserContext,
  baseUrl: string,
  username: string,
  options: AccountOptions = {},
): Promise<void> {
  const res = await context.request.post(`${baseUrl}/auth/register`, { data: credentials(username, options) });
  if (res.status() !== 201) throw new Error(`register ${username}: ${res.status()} ${await res.text()}`);
}

/** Signs in through the JSON endpoint in this context's cookie jar. */
export async function loginIn(
  context: BrowserContext,
  baseUrl: string,
  username: string,
  options: AccountOptions = {},
): Promise<void> {
  const res = await context.request.post(`${baseUrl}/auth/login`, { data: credentials(username, options) });
  if (res.status() !== 200) throw new Error(`login ${username}: ${res.status()} ${await res.text()}`);
}

/**
 * Registers through the form, as a person would (the page's script sends the browser's zone with it), and
 * waits for the landing page, /posts.
 */
export async function registerOnPage(
  page: Page,
  baseUrl: string,
  username: string,
  options: { readonly password?: string } = {},
): Promise<void> {
  await page.goto(`${baseUrl}/auth/register`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(options.password ?? PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${baseUrl}/posts`);
}

/** Fills the login form on the page now shown and submits it (waiting is the caller's: where it lands varies). */
export async function logInOnPage(
  page: Page,
  username: string,
  options: { readonly password?: string; readonly remember?: boolean } = {},
): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(options.password ?? PASSWORD);
  if (options.remember) await page.getByLabel('Remember me on this device').check();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
