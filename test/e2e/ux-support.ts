/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import { HtmlValidate } from 'html-validate';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { allViolations } from './axe';
import { serveTestApp } from './browser';

/** The widths and themes every page of issue 12 is checked at. */
export interface Look {
  readonly width: number;
  readonly scheme: 'light' | 'dark';
}
export const LOOKS: readonly Look[] = [320, 390, 1280].flatMap((width) =>
  (['light', 'dark'] as const).map((scheme) => ({ width, scheme })),
);
export const lookName = (look: Look) => `${look.width}px ${look.scheme}`;

export interface UxApp {
  readonly baseUrl: string;
  /** The app's clock (session timeouts): tests move it forward. */
  readonly clock: { now: number };
  close(): Promise<void>;
}

/** The app on a free loopback port, its own database, and a clock the test controls. */
export async function serveUxApp(env: Record<string, string> = {}): Promise<UxApp> {
  const clock = { now: Date.now() };
  const served = await serveTestApp({ env, now: () => clock.now });
  return { baseUrl: served.baseUrl, clock, close: served.close };
}

const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });

export interface Visit {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Problems found so far (axe, html-validate, overflow, dialogs): asserted empty at the end of a test. */
  readonly problems: string[];
  /** Checks the page now shown: axe at every impact, html-validate on the HTML as served, no sideways scroll. */
  check(label?: string): Promise<void>;
}

/** A browser context at this width and theme whose pages can be checked. CSP is bypassed only to inject axe. */
export async function openLook(
  browser: Browser,
  look: Look,
  options: { readonly timezoneId?: string; readonly acceptDownloads?: boolean } = {},
): Promise<Visit> {
  const phone = look.width < 600;
  const context = await browser.newContext({
    ...options,
    bypassCSP: true,
    viewport: { width: look.width, height: phone ? 780 : 900 },
    colorScheme: look.scheme,
    isMobile: phone,
    hasTouch: phone,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  let lastDocument: Response | undefined;
  page.on('response', (res) => {
    if (
      res.request().isNavigationRequest() &&
      res.frame() === page.mainFrame() &&
      (res.status() < 300 || res.status() >= 400)
    ) {
      lastDocument = res;
    }
  });
  page.on('dialog', async (dialog) => {
    problems.push(`dialog opened: ${dialog.message()}`);
    await dialog.dismiss();
  });
  const check = async (label = '') => {
    await page.waitForLoadState('load');
    const where = `${lookName(look)} ${new URL(page.url()).pathname}${label ? ` (${label})` : ''}`;
    // html-validate (Node) runs while axe runs in Chromium: two cores, two checks at once. Problems are still
    // listed in the same order: axe, width, html-validate.
    const served = lastDocument;
    const validation = (async () => {
      const html = served ? await served.text().catch(() => '') : '';
      if (!html) return [];
      const report = await validator.validateString(html);
      return report.results
        .flatMap((r) => r.messages)
        .map((m) => `${where}: html-validate ${m.ruleId} line ${m.line}: ${m.message}`);
    })();
    try {
      for (const v of await allViolations(page)) {
        problems.push(`${where}: axe ${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
      }
      const width = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        view: document.documentElement.clientWidth,
      }));
      if (width.scroll > width.view)
        problems.push(`${where}: page is ${width.scroll}px wide in a ${width.view}px viewport`);
    } finally {
      problems.push(...(await validation));
    }
  };
  return { context, page, problems, check };
}

/** Publishes a post through the JSON API as the context's user; returns its id. */
export async function publish(context: BrowserContext, baseUrl: string, title: string, body: string): Promise<string> {
  const res = await context.request.post(`${baseUrl}/posts`, { data: { title, body, status: 'published' } });
  if (res.status() !== 201) throw new Error(`publish: ${res.status()} ${await res.text()}`);
  const json = (await res.json()) as { post: { id: string } };
  return json.post.id;
}

/** Opens the header's Account menu (a <details>) if it is closed. */
export async function openAccountMenu(page: Page): Promise<void> {
  const menu = page.locator('[data-account-menu]');
  if (!(await menu.evaluate((el) => (el as HTMLDetailsElement).open))) {
    await menu.locator('summary').click();
  }
}

/** WCAG contrast ratio of two CSS colours as computed by the browser ("rgb(…)" / "rgba(…)"). */
export function contrast(a: string, b: string): number {
  const lum = (css: string) => {
    const [r = 0, g = 0, bl = 0] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const ch = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(bl);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
