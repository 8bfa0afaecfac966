/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const axePath = createRequire(__filename).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * Runs axe-core in the page and returns every violation, of any impact (minor and moderate too).
 * The page's own CSP forbids injected scripts, so contexts that audit use `bypassCSP`.
 *
 * Speed (issue 21), with the same rules and the same violations: axe is evaluated from a string read once,
 * rather than a <script> tag built from the file on every page; and `resultTypes: ['violations']`, axe's own
 * performance option, skips building selectors for every node that passed (passes, incomplete and
 * inapplicable keep at most one node each; violations are reported in full, and only they are read here).
 */
export async function allViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeSource ??= readFileSync(axePath, 'utf8');
    await page.evaluate(axeSource);
  }
  return page.evaluate(async () => {
    // axe is what the injected script defines on window.
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            options: { resultTypes: string[] },
          ) => Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** The serious and critical violations only (kept for suites that predate the every-impact rule). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  return (await allViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export interface AuditedContext {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Runs axe (every impact level) on the page now shown; violations go to `problems`. */
  audit(): Promise<void>;
  /** Asserted empty at the end of a test: axe violations, and any dialog a page opened (an XSS would). */
  readonly problems: string[];
}

/** A fresh browser context (desktop size) whose pages are audited with axe and watched for dialogs. */
export async function auditedContext(browser: Browser): Promise<AuditedContext> {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', async (dialog) => {
    problems.push(`dialog opened on ${page.url()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  const audit = async () => {
    for (const v of await allViolations(page))
      problems.push(`${page.url()} ${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
  };
  return { context, page, audit, problems };
}
