import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Seconds of each timed run. */
  readonly duration: number;
  /** Seconds of load before each timed run (JIT, connection pool, caches), not measured. */
  readonly warmup: number;
  readonly connections: number;
  /** `--scenario` names or parts of names; empty → all. */
  readonly scenarios: readonly string[];
  readonly posts: number;
  /** Soak instead of the table: signed-in GET /posts for `soakDuration` seconds, errors and RSS growth. */
  readonly soak: boolean;
  readonly soakDuration: number;
  /** Scenario whose timed run gets a CPU profile of the server process. */
  readonly profile: string | undefined;
  /** NODE_ENV of the server under test: production (view cache, static max-age) unless asked otherwise. */
  readonly env: 'production' | 'development';
  /** The server's LOG_LEVEL: its log goes nowhere, but writing it is part of a request's cost. */
  readonly logLevel: string;
  readonly verbose: boolean;
}

export const USAGE = `npm run bench -- [options]       (every option also as an environment variable)

  --duration S       seconds per timed run          BENCH_DURATION     default 10
  --warmup S         seconds of warm-up before each BENCH_WARMUP       default 3
  --connections N    concurrent connections         BENCH_CONNECTIONS  default 50
  --scenario A,B     only these (names or parts; /healthz always runs as the ceiling)
  --posts N          posts to seed                  BENCH_POSTS        default 1000
  --soak             60 s of signed-in GET /posts after ≥ 10 s of warm-up: errors and RSS growth (soak.json)
  --soak-duration S  length of the soak             BENCH_SOAK_DURATION default 60
  --profile NAME     CPU profile of the server during that scenario (bench/results/profiles/)
  --env ENV          the server's NODE_ENV: production (default) or development
  --log-level L      the server's LOG_LEVEL (default info: request logging is part of the cost)
  --verbose          show the server's log

Scenarios: healthz, posts-anon, posts-anon-br, posts-304, posts-signed-in, posts-signed-in-tutorial,
posts-signed-in-hand-written (the reference apps, bench/reference/), posts-signed-in-br, post-show,
posts-page-50, feed, search-anon, search-signed-in, image-variant (480 px), image-variant-960, static-css,
create-post, login (image-variant also times a 12-megapixel upload).
MongoDB: MONGODB_URI if set (a fresh database, dropped afterwards), else an embedded mongod on a temp dir.`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/** Returns undefined when help was asked for. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      scenario: { type: 'string' },
      posts: { type: 'string' },
      soak: { type: 'boolean', default: false },
      'soak-duration': { type: 'string' },
      profile: { type: 'string' },
      env: { type: 'string' },
      'log-level': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const serverEnv = values.env ?? 'production';
  if (serverEnv !== 'production' && serverEnv !== 'development') {
    throw new Error(`--env must be production or development, got "${serverEnv}"`);
  }
  return {
    duration: positive('--duration', values.duration ?? env.BENCH_DURATION, 10),
    warmup: positive('--warmup', values.warmup ?? env.BENCH_WARMUP, 3),
    connections: Math.round(positive('--connections', values.connections ?? env.BENCH_CONNECTIONS, 50)),
    scenarios: (values.scenario ?? env.BENCH_SCENARIO ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    posts: Math.round(positive('--posts', values.posts ?? env.BENCH_POSTS, 1000)),
    soak: values.soak,
    soakDuration: positive('--soak-duration', values['soak-duration'] ?? env.BENCH_SOAK_DURATION, 60),
    profile: values.profile,
    env: serverEnv,
    logLevel: values['log-level'] ?? 'info',
    verbose: values.verbose,
  };
}
