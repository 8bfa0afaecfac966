import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { projectRoot } from '../../src/paths';

/**
 * The README's pictures taken on the way by tests that are about something else (two-factor, passkeys, the
 * editor, staff pages…): only when asked for, with FOLIO_SCREENSHOTS_DIR (`npm run screenshots` sets it to
 * docs/screenshots), not on every test run, where nobody looks at them and a full-page PNG costs time. The
 * screenshot tests themselves (screenshots, ux-screenshots, recovery's reset mail) take theirs on every run.
 */
export async function readmeShot(page: Page, name: string, options: { readonly fullPage?: boolean } = {}) {
  const dir = process.env.FOLIO_SCREENSHOTS_DIR;
  if (!dir) return;
  const out = path.resolve(projectRoot, dir);
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: path.join(out, name), fullPage: options.fullPage ?? true });
}
