import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
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

/** The app on a free loopback port with its own database, for a browser to talk to. */
export async function serveTestApp(env: Record<string, string> = {}): Promise<ServedApp> {
  const t = await startTestApp({ env });
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    ...t,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}
