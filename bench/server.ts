import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { connectMongo } from '../src/db/connect';
import { prepareDatabase } from '../src/db/prepare-database';
import { createLogger } from '../src/logger';
import { DEFAULT_THROTTLE_LIMITS } from '../src/security/login-throttle';
import { createServices } from '../src/services';
import { SESSIONS_COLLECTION } from '../src/session/session-middleware';
import { CommandLog, withCommandMonitoring } from './mongo-commands';
import { BENCH_DB_ENV, type CallMessage, type Calls, type ServerMessage, type WindowStats } from './protocol';

/**
 * The server under test, as its own process (forked by bench/run.ts): Folio's real app on the real
 * connection code, plus what the benchmark needs to see inside it — MongoDB commands (driver command
 * monitoring), requests served, memory and CPU — reported over IPC. It runs as src/server.ts would, minus
 * the embedded MongoDB (the benchmark brings its own) and the demo seed.
 */

function send(message: ServerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

/** --expose-gc (set by the parent) lets RSS be read after a collection, so it shows retained memory. */
function collectGarbage(): void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') gc();
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/server.ts is started by bench/run.ts (it talks over IPC)');
  const config = loadConfig(process.env);
  const dbName = process.env[BENCH_DB_ENV];
  if (!config.mongodbUri || !dbName) throw new Error(`MONGODB_URI and ${BENCH_DB_ENV} are required`);

  const logger = createLogger(config);
  const connection = await connectMongo(withCommandMonitoring(config.mongodbUri), { dbName });
  await prepareDatabase(createServices({ config, connection, logger }).personalData);
  const commands = new CommandLog(connection.getClient(), { keep: false });
  // Seeding writes 1,000 posts as one user and the create-post scenario posts under load: per-user limits
  // far above that, so every request still pays for the limiter's atomic consume but none is refused.
  const unlimited = { points: 10_000_000, duration: 60 };
  const app = createApp({
    config,
    connection,
    logger,
    writeLimits: { post: { key: 'post', ...unlimited }, comment: { key: 'comment', ...unlimited } },
    // The login scenario is 50 right passwords at once from one address for one account. Every attempt is
    // consumed before bcrypt runs, so at default limits all but 5 in flight are refused (429): raised here so
    // the run measures a sign-in's cost, while each request still pays for the atomic consume and give-back.
    throttleLimits: {
      ...DEFAULT_THROTTLE_LIMITS,
      failuresPerAccountAndIp: 10_000_000,
      failuresPerIp: 10_000_000,
      failuresPerAccount: 10_000_000,
    },
  });

  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  // One measurement window at a time: the benchmark runs its scenarios one after the other.
  let window = startWindow();
  let peakRss = 0;
  let rssSeries: number[] = [];
  let samples = 0;
  const rssSampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    samples += 1;
    if (samples % 20 === 0) rssSeries.push(rss);
  }, 250);
  rssSampler.unref();

  function startWindow() {
    collectGarbage();
    const memory = process.memoryUsage();
    return { at: performance.now(), cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed };
  }

  let profiler: Session | undefined;

  const handlers: { [K in keyof Calls]: (args: Calls[K]['args']) => Promise<Calls[K]['result']> } = {
    reset: async () => {
      requests = 0;
      commands.reset();
      window = startWindow();
      peakRss = window.rss;
      rssSeries = [];
      samples = 0;
      return null;
    },
    stats: async () => {
      const cpu = process.cpuUsage(window.cpu);
      const wallMs = performance.now() - window.at;
      const rssPeakBytes = Math.max(peakRss, process.memoryUsage.rss());
      collectGarbage();
      const memory = process.memoryUsage();
      const stats: WindowStats = {
        requests,
        commands: commands.total,
        byCommand: commands.byKey(),
        sessionWrites: commands.writesTo(SESSIONS_COLLECTION),
        rssBeforeBytes: window.rss,
        rssAfterBytes: memory.rss,
        rssPeakBytes,
        rssSeriesBytes: rssSeries,
        heapUsedBeforeBytes: window.heapUsed,
        heapUsedAfterBytes: memory.heapUsed,
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs,
      };
      return stats;
    },
    profileStart: async () => {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return null;
    },
    profileStop: async ({ file }) => {
      if (!profiler) throw new Error('no profile running');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(file, JSON.stringify(profile));
      return null;
    },
    shutdown: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      commands.detach();
      // The benchmark's database is its own (a fresh name per run): leave nothing behind on a shared MongoDB.
      await connection.dropDatabase();
      await connection.close();
      return null;
    },
  };

  process.on('message', (raw: CallMessage) => {
    // IPC carries untyped JSON; the parent only sends CallMessages (bench/server-process.ts).
    const handler = handlers[raw.call] as (args: unknown) => Promise<unknown>;
    handler(raw.args)
      .then(
        (result) => send({ kind: 'reply', id: raw.id, result }),
        (err: unknown) =>
          send({ kind: 'error', id: raw.id, message: err instanceof Error ? err.message : String(err) }),
      )
      .then(() => {
        // Exit only once the reply is on its way (a profile written at exit would need --cpu-prof instead).
        if (raw.call === 'shutdown') process.exit(0);
      });
  });
  // The parent died or closed the channel: do not linger as an orphan holding a port.
  process.on('disconnect', () => process.exit(0));

  const { port } = server.address() as AddressInfo;
  send({ kind: 'ready', port });
}

main().catch(async (err: unknown) => {
  await send({ kind: 'error', id: null, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
