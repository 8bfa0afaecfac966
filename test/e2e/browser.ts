import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

export interface ServedApp extends TestApp {
  readonly baseUrl: string;
}

/**
 * The app on a free loopback port with its own database, for a browser to talk to. PUBLIC_URL is the address
 * it is served at (mail links and feeds point back at it): the server listens first, then the app is made.
 * `host: 'localhost'` for WebAuthn, whose relying-party id must be a domain, not an IP address.
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
  const t = await startTestApp({
    env: { PUBLIC_URL: baseUrl, ...(host === 'localhost' ? { ALLOWED_HOSTS: 'localhost' } : {}), ...options.env },
    now: options.now,
  });
  handler = t.app;
  return {
    ...t,
    baseUrl,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
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
