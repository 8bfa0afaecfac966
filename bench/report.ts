import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CpuShares } from './cpu';
import type { LoadResult } from './load';
import type { WindowStats } from './protocol';
import { HAND_WRITTEN_SCENARIO, TUTORIAL_SCENARIO } from './scenarios';

/** Turning measurements into the table people read and the JSON that tools (and the next run) read. */

export interface ScenarioResult extends LoadResult {
  readonly name: string;
  readonly label: string;
  readonly request: string;
  /** req/s over the /healthz ceiling's req/s in the same run. */
  readonly ratioToHealthz: number | null;
  /** MongoDB commands per request, counted in the server (driver command monitoring). */
  readonly commandsPerRequest: number;
  readonly commandsPerRequestByKind: Readonly<Record<string, number>>;
  readonly sessionWrites: number;
  /** MongoDB connections opened by the server during the timed run. */
  readonly connectionsOpened: number;
  readonly serverRequests: number;
  /** CPU as percent of one core (this machine has 2): Folio's process, autocannon, and the rest (MongoDB…). */
  readonly serverCpuPercent: number;
  /** Folio's own CPU time per request: the cost of the code, whatever MongoDB or the load generator do. */
  readonly serverCpuMsPerRequest: number;
  readonly loadGeneratorCpuPercent: number;
  /** The local mongod's CPU (null for a remote MongoDB), and per request. */
  readonly mongodCpuPercent: number | null;
  readonly mongodCpuMsPerRequest: number | null;
  /** The whole machine's busy CPU minus the three above: other processes, and kernel work nobody is billed for. */
  readonly restCpuPercent: number | null;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly rssPeakMb: number;
  readonly rssEvery5sMb: readonly number[];
  readonly heapUsedAfterMb: number;
}

export interface Target {
  readonly what: string;
  readonly value: number | null;
  readonly goal: string;
  readonly met: boolean | null;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function toScenarioResult(
  scenario: { name: string; label: string; method: string; path: string },
  load: LoadResult,
  server: WindowStats,
  cpu: CpuShares & { readonly wallMs: number; readonly mongodCpuMs: number | null },
  healthzRps: number | undefined,
): ScenarioResult {
  const serverCpuPercent = Math.round((server.cpuMs / cpu.wallMs) * 100);
  const mongodCpuPercent = cpu.mongodCpuMs === null ? null : Math.round((cpu.mongodCpuMs / cpu.wallMs) * 100);
  const perRequest = (n: number) => (server.requests > 0 ? n / server.requests : 0);
  return {
    name: scenario.name,
    label: scenario.label,
    request: `${scenario.method} ${scenario.path}`,
    ...load,
    requestsPerSecond: round(load.requestsPerSecond, 1),
    ratioToHealthz: healthzRps ? round(load.requestsPerSecond / healthzRps, 3) : null,
    commandsPerRequest: round(perRequest(server.commands), 2),
    commandsPerRequestByKind: Object.fromEntries(
      Object.entries(server.byCommand).map(([k, n]) => [k, round(perRequest(n), 3)]),
    ),
    sessionWrites: server.sessionWrites,
    connectionsOpened: server.connectionsOpened,
    serverRequests: server.requests,
    serverCpuPercent,
    serverCpuMsPerRequest: round(perRequest(server.cpuMs), 3),
    loadGeneratorCpuPercent: cpu.loadGeneratorPercent,
    mongodCpuPercent,
    mongodCpuMsPerRequest: cpu.mongodCpuMs === null ? null : round(perRequest(cpu.mongodCpuMs), 3),
    restCpuPercent:
      cpu.machinePercent === null
        ? null
        : Math.max(0, cpu.machinePercent - serverCpuPercent - cpu.loadGeneratorPercent - (mongodCpuPercent ?? 0)),
    rssBeforeMb: mb(server.rssBeforeBytes),
    rssAfterMb: mb(server.rssAfterBytes),
    rssPeakMb: mb(server.rssPeakBytes),
    rssEvery5sMb: server.rssSeriesBytes.map(mb),
    heapUsedAfterMb: mb(server.heapUsedAfterBytes),
  };
}

/** The issue's targets, judged on this run's numbers (null when a scenario they need did not run). */
export function judgeTargets(results: readonly ScenarioResult[]): Target[] {
  const by = (name: string) => results.find((r) => r.name === name);
  const signedIn = by('posts-signed-in')?.ratioToHealthz ?? null;
  const cachedAnon = by('posts-anon')?.ratioToHealthz ?? null;
  const notModified = by('posts-304')?.ratioToHealthz ?? null;
  const imageVariant = by('image-variant')?.ratioToHealthz ?? null;
  // Both signed in, so both rendered: the deep page's query against the first page's.
  const page1 = by('posts-signed-in')?.requestsPerSecond;
  const page50 = by('posts-page-50')?.requestsPerSecond;
  const spread = page1 && page50 ? round(Math.max(page1, page50) / Math.min(page1, page50), 2) : null;
  // The reference apps, measured in the same run under the same load (bench/reference/).
  const over = (reference: string) => {
    const ref = by(reference)?.requestsPerSecond;
    return page1 && ref ? round(page1 / ref, 2) : null;
  };
  const overTutorial = over(TUTORIAL_SCENARIO);
  const overHandWritten = over(HAND_WRITTEN_SCENARIO);
  return [
    {
      what: 'signed-in GET /posts req/s: Folio ÷ the tutorial app',
      value: overTutorial,
      goal: '≥ 2',
      met: overTutorial === null ? null : overTutorial >= 2,
    },
    {
      what: 'signed-in GET /posts req/s: Folio ÷ the hand-written page',
      value: overHandWritten,
      goal: '> 1',
      met: overHandWritten === null ? null : overHandWritten > 1,
    },
    {
      what: 'signed-in GET /posts req/s ÷ /healthz req/s',
      value: signedIn,
      goal: '≥ 0.30',
      met: signedIn === null ? null : signedIn >= 0.3,
    },
    {
      what: 'anonymous GET /posts (page cache) req/s ÷ /healthz req/s',
      value: cachedAnon,
      goal: '≥ 0.50',
      met: cachedAnon === null ? null : cachedAnon >= 0.5,
    },
    {
      what: 'anonymous GET /posts → 304 req/s ÷ /healthz req/s',
      value: notModified,
      goal: '≥ 0.70',
      met: notModified === null ? null : notModified >= 0.7,
    },
    {
      what: 'cached image variant (480 px WebP, what a phone loads) req/s ÷ /healthz req/s',
      value: imageVariant,
      goal: '≥ 0.50',
      met: imageVariant === null ? null : imageVariant >= 0.5,
    },
    {
      what: 'signed-in GET /posts?page=1 vs ?page=50 req/s (faster ÷ slower)',
      value: spread,
      goal: '< 2',
      met: spread === null ? null : spread < 2,
    },
  ];
}

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i >= rightAligned ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i >= rightAligned ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A Markdown table, so it can be pasted into docs as is. */
export function formatResults(results: readonly ScenarioResult[]): string {
  return table(
    [
      'scenario',
      'req/s',
      '× /healthz',
      'kB/resp',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'errors',
      'db cmds/req',
      'CPU ms/req Folio + mongod',
      'CPU % Folio/mongod/autocannon/other',
      'RSS MB before → after',
    ],
    results.map((r) => [
      r.label,
      r.requestsPerSecond.toFixed(0),
      r.ratioToHealthz === null ? '—' : r.ratioToHealthz.toFixed(2),
      (r.bytesPerResponse / 1000).toFixed(1),
      String(r.latencyP50Ms),
      String(r.latencyP99Ms),
      String(r.non2xx),
      String(r.errors),
      r.commandsPerRequest.toFixed(2),
      `${r.serverCpuMsPerRequest.toFixed(2)} + ${r.mongodCpuMsPerRequest?.toFixed(2) ?? '?'}`,
      [r.serverCpuPercent, r.mongodCpuPercent, r.loadGeneratorCpuPercent, r.restCpuPercent]
        .map((n) => n ?? '?')
        .join(' / '),
      `${r.rssBeforeMb.toFixed(0)} → ${r.rssAfterMb.toFixed(0)}`,
    ]),
    1,
  );
}

export function formatCommands(results: readonly ScenarioResult[]): string {
  return table(
    ['scenario', 'MongoDB commands per request', 'session writes', 'connections opened'],
    results.map((r) => [
      r.label,
      Object.entries(r.commandsPerRequestByKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none',
      String(r.sessionWrites),
      String(r.connectionsOpened),
    ]),
    2,
  );
}

export function formatTargets(targets: readonly Target[]): string {
  return targets
    .map((t) => `${t.met === null ? '  –' : t.met ? '  ✓' : '  ✗'} ${t.what}: ${t.value ?? 'not run'} (goal ${t.goal})`)
    .join('\n');
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: process.platform,
  };
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/**
 * CPU of other work than Folio, mongod and autocannon. Scenarios that use MongoDB always show some (kernel
 * and Wine work for mongod that /proc does not attribute to it); those that do not (healthz, static files)
 * show ~0 on a quiet machine — if they do not, something else was running and every number is pessimistic.
 */
const BUSY_MACHINE_PERCENT = 15;

export function noisyRunWarning(results: readonly ScenarioResult[]): string | null {
  const busy = results.filter((r) => r.commandsPerRequest === 0 && (r.restCpuPercent ?? 0) > BUSY_MACHINE_PERCENT);
  if (busy.length === 0) return null;
  return `warning: other processes used > ${BUSY_MACHINE_PERCENT}% CPU during ${busy.map((r) => r.name).join(', ')}: the machine was shared, numbers are pessimistic; rerun on a quiet machine`;
}
