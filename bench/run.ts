import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { cpuSince, markCpu } from './cpu';
import { type BenchDatabase, openBenchDatabase } from './database';
import { formatUploads, measureUpload } from './images';
import { runLoad } from './load';
import { localMongodCpu, type MongodCpu } from './mongod-cpu';
import { type BenchOptions, parseOptions, USAGE } from './options';
import { formatProfile, summarizeProfile } from './profile-summary';
import { BENCH_DB_ENV } from './protocol';
import { REFERENCE_COOKIE_NAME, REFERENCE_USER } from './reference/reference';
import {
  formatCommands,
  formatResults,
  formatTargets,
  judgeTargets,
  machine,
  noisyRunWarning,
  type ScenarioResult,
  toScenarioResult,
  writeJson,
} from './report';
import {
  type BenchApp,
  HEALTHZ,
  SCENARIOS,
  type Scenario,
  type ScenarioRequest,
  SOAK_SCENARIO,
  selectScenarios,
} from './scenarios';
import { type Fixtures, seed, signInToReference } from './seed';
import { type ServerProcess, startServerProcess } from './server-process';

/**
 * `npm run bench`: Folio in its own process on a fresh MongoDB database, 1 user and 1,000 posts seeded
 * through the API, then each scenario at fixed concurrency (warm-up, then a timed run) from this process.
 * The reference apps (bench/reference/: the tutorial's, and a hand-written node:http page) run as their own
 * processes on the same database and posts when their scenarios are selected, so Folio's signed-in list is
 * compared with them under the same load in the same run. Prints a Markdown table and writes
 * bench/results/latest.json.
 */

const RESULTS_DIR = path.join(__dirname, 'results');
/** COOKIE_SECURE=false (plain HTTP on loopback), so the cookie has no __Host- prefix. */
const COOKIE_NAME = 'folio.sid';
/** Lets requests cut off at the end of a run finish, so their MongoDB commands are counted with them. */
const SETTLE_MS = 300;
const SOAK_RSS_LIMIT_MB = 50;
const SOAK_MIN_WARMUP_S = 10;
const SOAK_DEFAULT_S = 60;

const log = (line: string) => console.error(`bench: ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function serverEnv(options: BenchOptions, db: BenchDatabase): Record<string, string> {
  return {
    NODE_ENV: options.env,
    MONGODB_URI: db.uri,
    [BENCH_DB_ENV]: db.dbName,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    // Production requires the key that encrypts authenticator seeds; a fresh one per run, like the secret.
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    COOKIE_SECURE: 'false',
    LOG_LEVEL: options.logLevel,
    // The production cost unless the caller sets another: login's numbers are bcrypt's numbers.
    ...(process.env.BCRYPT_COST ? { BCRYPT_COST: process.env.BCRYPT_COST } : {}),
  };
}

/** One request before the load, so a scenario that answers an error page is reported, not benchmarked. */
async function check(baseUrl: string, request: ScenarioRequest, expect: Scenario['expect']): Promise<string | null> {
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
  });
  const text = await res.text();
  if (res.status !== expect.status) return `answered ${res.status}, expected ${expect.status}: ${text.slice(0, 200)}`;
  if (expect.contains && !text.includes(expect.contains)) return `answer lacks "${expect.contains}"`;
  return null;
}

/** What the benchmark can see of the machine besides the server: the local mongod's CPU, if it is local. */
interface Probes {
  readonly mongod: MongodCpu | undefined;
}

async function measure(
  server: ServerProcess,
  probes: Probes,
  scenario: Scenario,
  fixtures: Fixtures,
  options: BenchOptions,
  durationSeconds: number,
  healthzRps: number | undefined,
): Promise<ScenarioResult> {
  const request = scenario.request(fixtures);
  const problem = await check(server.url, request, scenario.expect);
  if (problem) throw new Error(`${scenario.label} ${problem}`);
  const load = { baseUrl: server.url, request, connections: options.connections };

  log(`${scenario.label}: ${options.warmup} s warm-up, ${durationSeconds} s timed, ${options.connections} connections`);
  await runLoad({ ...load, durationSeconds: options.warmup });
  await sleep(SETTLE_MS);
  await server.call('reset', null);
  const profiling = options.profile === scenario.name;
  if (profiling) await server.call('profileStart', null);
  const cpuMark = markCpu();
  const mongodBefore = probes.mongod?.read();
  const result = await runLoad({ ...load, durationSeconds });
  const mongodAfter = probes.mongod?.read();
  const cpu = {
    ...cpuSince(cpuMark),
    wallMs: performance.now() - cpuMark.at,
    mongodCpuMs: mongodBefore === undefined || mongodAfter === undefined ? null : mongodAfter - mongodBefore,
  };
  await sleep(SETTLE_MS);
  // Before stopping the profiler, whose own work (serialising the profile) is not the scenario's.
  const stats = await server.call('stats', null);
  if (profiling) {
    const file = path.join(RESULTS_DIR, 'profiles', `${scenario.name}-${Date.now()}.cpuprofile`);
    mkdirSync(path.dirname(file), { recursive: true });
    await server.call('profileStop', { file });
    console.log(`\nCPU profile of the server during ${scenario.label}: ${path.relative(process.cwd(), file)}`);
    console.log(formatProfile(summarizeProfile(file)));
  }
  return toScenarioResult({ ...scenario, ...request }, result, stats, cpu, healthzRps);
}

/** The server processes of one run: Folio always, a reference app when one of its scenarios runs. */
type Servers = Readonly<Record<'folio', ServerProcess>> & Partial<Readonly<Record<BenchApp, ServerProcess>>>;

/** The reference apps' scripts (bench/reference/); the hand-written page reads the tutorial app's sessions. */
const REFERENCE_SCRIPTS: Readonly<Record<Exclude<BenchApp, 'folio'>, string>> = {
  tutorial: 'reference/tutorial.ts',
  'hand-written': 'reference/hand-written.ts',
};

async function runTable(
  servers: Servers,
  probes: Probes,
  fixtures: Fixtures,
  options: BenchOptions,
  db: BenchDatabase,
  scenarios: readonly Scenario[],
) {
  const results: ScenarioResult[] = [];
  let healthzRps: number | undefined;
  const server = servers.folio;
  for (const scenario of scenarios) {
    const target = servers[scenario.app ?? 'folio'];
    if (!target) throw new Error(`${scenario.name}: its app (${scenario.app}) was not started`);
    const result = await measure(target, probes, scenario, fixtures, options, options.duration, healthzRps);
    if (scenario.name === HEALTHZ) healthzRps = result.requestsPerSecond;
    results.push(result);
  }
  const targets = judgeTargets(results);
  // The 12-megapixel upload, with the image scenario (in a full run, or `--scenario image`).
  const uploads = [];
  if (scenarios.some((s) => s.name === 'image-variant')) {
    log('image upload: two 12-megapixel JPEGs, /healthz probed meanwhile');
    for (const seed of [2, 3]) uploads.push(await measureUpload(server, fixtures.cookie, seed));
  }

  console.log(`\n${formatResults(results)}\n\n${formatCommands(results)}\n\nTargets:\n${formatTargets(targets)}`);
  const noisy = noisyRunWarning(results);
  if (noisy) console.log(`\n${noisy}`);
  if (uploads.length > 0) console.log(`\n${formatUploads(uploads)}`);
  const complete = scenarios.length === SCENARIOS.length;
  // Only a full run replaces latest.json; a filtered one would otherwise hide the scenarios it skipped.
  const file = path.join(RESULTS_DIR, complete ? 'latest.json' : 'partial.json');
  writeJson(file, {
    ranAt: new Date().toISOString(),
    machine: machine(),
    mongodb: db.source,
    settings: settingsOf(options),
    scenarios: results,
    targets,
    imageUploads: uploads,
    warning: noisy,
  });
  console.log(`\nwritten: ${path.relative(process.cwd(), file)}`);
}

/** Long signed-in reading at full concurrency: no errors, and memory that levels off instead of growing. */
async function runSoak(
  server: ServerProcess,
  probes: Probes,
  fixtures: Fixtures,
  options: BenchOptions,
  db: BenchDatabase,
) {
  const scenario = SCENARIOS.find((s) => s.name === SOAK_SCENARIO);
  if (!scenario) throw new Error(`no ${SOAK_SCENARIO} scenario`);
  // The baseline is taken after the warm-up: growth from a cold heap to its working size is not a leak.
  const soakOptions = { ...options, warmup: Math.max(options.warmup, SOAK_MIN_WARMUP_S) };
  const r = await measure(server, probes, scenario, fixtures, soakOptions, options.soakDuration, undefined);
  const growthMb = Math.round((r.rssAfterMb - r.rssBeforeMb) * 10) / 10;
  const passed = r.errors === 0 && r.non2xx === 0 && growthMb < SOAK_RSS_LIMIT_MB;
  const soak = {
    scenario: r.label,
    durationSeconds: options.soakDuration,
    connections: options.connections,
    requestsPerSecond: r.requestsPerSecond,
    latencyP50Ms: r.latencyP50Ms,
    latencyP99Ms: r.latencyP99Ms,
    responses: r.responses,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    rssBeforeMb: r.rssBeforeMb,
    rssAfterMb: r.rssAfterMb,
    rssPeakMb: r.rssPeakMb,
    rssEvery5sMb: r.rssEvery5sMb,
    rssGrowthMb: growthMb,
    heapUsedAfterMb: r.heapUsedAfterMb,
    commandsPerRequest: r.commandsPerRequest,
    sessionWrites: r.sessionWrites,
    passed,
  };
  console.log(
    [
      '',
      `Soak: ${r.label}, ${options.soakDuration} s at ${options.connections} connections`,
      `  ${r.responses} responses, ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms`,
      `  errors ${r.errors}, non-2xx ${r.non2xx}`,
      `  server RSS ${r.rssBeforeMb} → ${r.rssAfterMb} MB (peak ${r.rssPeakMb}): growth ${growthMb} MB (limit < ${SOAK_RSS_LIMIT_MB})`,
      `  RSS every 5 s: ${r.rssEvery5sMb.map((n) => n.toFixed(0)).join(' ')} MB; heap in use after GC ${r.heapUsedAfterMb} MB`,
      `  MongoDB commands per request ${r.commandsPerRequest}, session writes ${r.sessionWrites}`,
      `  ${passed ? '✓ passed' : '✗ FAILED'}`,
    ].join('\n'),
  );
  // Like latest.json, soak.json is only replaced by a run of the documented length.
  const file = path.join(RESULTS_DIR, options.soakDuration >= SOAK_DEFAULT_S ? 'soak.json' : 'soak-short.json');
  writeJson(file, {
    ranAt: new Date().toISOString(),
    machine: machine(),
    mongodb: db.source,
    settings: settingsOf(soakOptions),
    soak,
  });
  console.log(`\nwritten: ${path.relative(process.cwd(), file)}`);
  if (!passed) process.exitCode = 1;
}

function settingsOf(o: BenchOptions) {
  return {
    durationSeconds: o.soak ? o.soakDuration : o.duration,
    warmupSeconds: o.warmup,
    connections: o.connections,
    posts: o.posts,
    serverEnv: o.env,
    serverLogLevel: o.logLevel,
    bcryptCost: Number(process.env.BCRYPT_COST ?? 12),
  };
}

/** Startup, seeding and every run, with room to spare: a stuck run ends instead of hanging a terminal or CI. */
function deadlineMs(o: BenchOptions): number {
  const runs = o.soak ? o.warmup + o.soakDuration : SCENARIOS.length * (o.warmup + o.duration + 5);
  return (180 + runs * 1.5) * 1000;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (!options) {
    console.log(USAGE);
    return;
  }
  let cleanup = async () => {};
  const watchdog = setTimeout(() => {
    log(`still running after ${Math.round(deadlineMs(options) / 1000)} s: giving up`);
    void cleanup().finally(() => process.exit(2));
  }, deadlineMs(options));
  watchdog.unref();
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  // Checked before anything starts: a typo should cost a second, not a MongoDB start and a seed.
  const scenarios = options.soak
    ? SCENARIOS.filter((s) => s.name === SOAK_SCENARIO)
    : selectScenarios(options.scenarios);
  if (options.profile && !scenarios.some((s) => s.name === options.profile)) {
    throw new Error(
      `--profile ${options.profile} is not among the scenarios run: ${scenarios.map((s) => s.name).join(', ')}`,
    );
  }

  const db = await openBenchDatabase(log);
  log(`MongoDB: ${db.source}, database ${db.dbName}`);
  let server: ServerProcess | undefined;
  const references: Partial<Record<BenchApp, ServerProcess>> = {};
  cleanup = async () => {
    // References first: Folio's server drops the shared benchmark database as it stops.
    for (const ref of Object.values(references)) await ref.stop().catch(() => {});
    await server?.stop().catch(() => {});
    await db.stop().catch(() => {});
  };
  try {
    server = await startServerProcess({ env: serverEnv(options, db), verbose: options.verbose });
    log(`Folio (NODE_ENV=${options.env}) on ${server.url}, pid ${server.pid}; seeding ${options.posts} posts…`);
    let fixtures: Fixtures = await seed(server.url, { posts: options.posts, cookieName: COOKIE_NAME });
    const apps = new Set(scenarios.map((s) => s.app ?? 'folio'));
    if (apps.has('hand-written')) apps.add('tutorial');
    for (const app of ['tutorial', 'hand-written'] as const) {
      if (!apps.has(app)) continue;
      const env = { NODE_ENV: 'production', MONGODB_URI: db.uri, [BENCH_DB_ENV]: db.dbName };
      references[app] = await startServerProcess({ script: REFERENCE_SCRIPTS[app], env, verbose: options.verbose });
      log(`reference app "${app}" on ${references[app]?.url}`);
    }
    if (references.tutorial) {
      const referenceCookie = await signInToReference(references.tutorial.url, REFERENCE_USER, REFERENCE_COOKIE_NAME);
      fixtures = { ...fixtures, referenceCookie };
    }
    const probes: Probes = { mongod: localMongodCpu(db.uri) };
    if (!probes.mongod) log('MongoDB is not a local process: its CPU is not measured');
    else if (probes.mongod.underWine) log('mongod runs under Wine: its CPU includes wineserver');
    if (options.soak) await runSoak(server, probes, fixtures, options, db);
    else await runTable({ ...references, folio: server }, probes, fixtures, options, db, scenarios);
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
