import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { connectTestDb, releaseTestDb, startTestApp, type TestApp } from '../support/test-app';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A Chromium of its own, closed by the caller. Test files use sharedBrowser(). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

// One Chromium per worker process, not one per file (~1 s each): the e2e config runs files without module
// isolation (vitest.e2e.config.mts), so this module, and this browser, outlive each file. Every file works in
// contexts of its own (fresh cookies, storage, viewport) and releaseBrowser() closes those it left open.
// Playwright kills the browser when the worker process exits.
let shared: Promise<Browser> | undefined;

/** The worker's Chromium, launched on first use (again if it has gone away). Release it, do not close it. */
export async function sharedBrowser(): Promise<Browser> {
  if (shared) {
    const browser = await shared.catch(() => undefined);
    if (browser?.isConnected()) return browser;
  }
  shared = launchBrowser();
  return shared;
}

/** The end of a file's use of the shared browser: closes every context still open in it. */
export async function releaseBrowser(browser: Browser | undefined): Promise<void> {
  await Promise.all((browser?.contexts() ?? []).map((context) => context.close()));
}

export interface ServedApp extends TestApp {
  readonly baseUrl: string;
}

/**
 * The app on a free loopback port with its own database, for a browser to talk to. PUBLIC_URL is the address
 * it is served at (mail links and feeds point back at it): the server listens first, then the app is made.
 * `host: 'localhost'` for WebAuthn, whose relying-party id must be a domain, not an IP address.
 * The database is empty, as a new one would be: a previous file's, emptied (connectTestDb in test/support/test-app.ts).
 */
export async function serveTestApp(
  options: { env?: Record<string, string>; host?: 'localhost' | '127.0.0.1'; now?: () => number } = {},
): Promise<ServedApp> {
  const host = options.host ?? '127.0.0.1';
  let handler: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host}:${port}`;
  const connection = await connectTestDb();
  const t = await startTestApp({
    env: { PUBLIC_URL: baseUrl, ...(host === 'localhost' ? { ALLOWED_HOSTS: 'localhost' } : {}), ...options.env },
    now: options.now,
    connection,
  });
  handler = t.app;
  return {
    ...t,
    baseUrl,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // With a connection given, the app's close() flushes and stops its mailer but keeps the database.
      await t.close();
      await releaseTestDb(connection);
    },
  };
}

/** Opens the newest link in the development outbox (/dev/mail) that starts with `baseUrl` + `prefix`. */
export async function followMailLink(page: Page, baseUrl: string, prefix: string): Promise<void> {
  // The outbox is written off the request path: give it a moment.
  for (let i = 0; i < 50; i++) {
    await page.goto(`${baseUrl}/dev/mail`);
    if ((await page.locator(`a[href^="${baseUrl}${prefix}"]`).count()) > 0) break;
    await page.waitForTimeout(100);
  }
  await page.locator(`a[href^="${baseUrl}${prefix}"]`).first().click();
  await page.waitForURL(new RegExp(`${prefix}[A-Za-z0-9_-]{43}$`));
}
