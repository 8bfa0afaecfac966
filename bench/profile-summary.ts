import { readFileSync } from 'node:fs';

/**
 * Reads a V8 CPU profile (.cpuprofile, as `node --cpu-prof` or the inspector writes it) and says where the
 * time went: self time by package (express, ejs, mongodb, bson, …) and by function. Enough to see what
 * dominates a request without opening DevTools; the file opens there too for the full picture.
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Share {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  /** Sampled time excluding idle. */
  readonly busyMs: number;
  readonly byArea: readonly Share[];
  readonly byFunction: readonly Share[];
}

/** node_modules/<pkg> (or @scope/pkg), node's own modules, the project's files, or V8's pseudo-frames. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName || '(native)';
  // The innermost package: mongoose's own copy of the driver is `mongodb`, not `mongoose`.
  const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return 'node (core)';
  const own = /\/(src|views|bench)\//.exec(url);
  if (own?.[1]) return `folio ${own[1]}/`;
  return url;
}

function shortUrl(url: string): string {
  const pkg = /.*node_modules\/(.+)$/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const own = /\/((?:src|views|bench)\/.+)$/.exec(url);
  return own?.[1] ?? url;
}

function top(map: Map<string, number>, busy: number, n: number): Share[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((us / busy) * 1000) / 10 }));
}

export function summarizeProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    busy += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  });
  return { busyMs: Math.round(busy / 1000), byArea: top(byArea, busy, topN), byFunction: top(byFunction, busy, topN) };
}

export function formatProfile(summary: ProfileSummary): string {
  const rows = (shares: readonly Share[]) => shares.map((s) => `  ${s.percent.toFixed(1).padStart(5)}%  ${s.name}`);
  return [
    `busy ${summary.busyMs} ms (self time, idle excluded)`,
    'by package:',
    ...rows(summary.byArea),
    'by function:',
    ...rows(summary.byFunction),
  ].join('\n');
}
