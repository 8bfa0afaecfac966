import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { connectMongo } from '../src/db/connect';
import { prepareDatabase } from '../src/db/prepare-database';
import { createLogger } from '../src/logger';
import { DEFAULT_THROTTLE_LIMITS } from '../src/security/login-throttle';
import { createServices } from '../src/services';
import { SESSIONS_COLLECTION } from '../src/session/session-middleware';
import { CommandLog, withCommandMonitoring } from './mongo-commands';
import { BENCH_DB_ENV } from './protocol';
import { runUnderBench, type ServedApp } from './under-bench';

/**
 * The server under test, as its own process (forked by bench/run.ts): Folio's real app on the real
 * connection code, plus what the benchmark needs to see inside it — MongoDB commands (driver command
 * monitoring), requests served, memory and CPU — reported over IPC (bench/under-bench.ts). It runs as src/server.ts would, minus
 * the embedded MongoDB (the benchmark brings its own) and the demo seed.
 */

async function start(): Promise<ServedApp> {
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

  return {
    handler: app,
    commands,
    sessionsCollection: SESSIONS_COLLECTION,
    // The benchmark's database is its own (a fresh name per run): leave nothing behind on a shared MongoDB.
    close: async () => {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

runUnderBench(start);
