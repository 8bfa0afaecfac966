/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser, where the DOM exists.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axePath = createRequire(__filename).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * Runs axe-core in the page and returns every violation, of any impact (minor and moderate too).
 * The page's own CSP forbids injected scripts, so contexts that audit use `bypassCSP`.
 */
export async function allViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    // axe is what the injected script defines on window.
    const axe = (
      window as unknown as {
        axe: {
          run: (ctx: Document) => Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document);
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
