import type { Server } from 'node:http';
import dotenv from 'dotenv';
import type { Logger } from 'pino';
import { createApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { connectMongo } from './db/connect';
import { type EmbeddedMongo, startEmbeddedMongo } from './db/embedded-mongo';
import { prepareDatabase } from './db/prepare-database';
import { seedDemoContent } from './db/seed-demo';
import { createLogger } from './logger';

/** The process: configuration, MongoDB, the HTTP server, and an orderly shutdown. */

const SHUTDOWN_GRACE_MS = 10_000;

function readConfig(): Config {
  dotenv.config({ quiet: true });
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) console.error(`folio: configuration: ${problem}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config);
  if (config.session.secretIsEphemeral) {
    logger.warn('SESSION_SECRET is not set: using a random secret, so sessions end when the process restarts');
  }

  let embedded: EmbeddedMongo | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    logger.info(
      `MONGODB_URI is not set: starting an embedded MongoDB with its data in ${config.embeddedMongo.dataDir}`,
    );
    embedded = await startEmbeddedMongo({
      mongod: config.embeddedMongo,
      dataDir: config.embeddedMongo.dataDir,
      log: (line) => logger.info(line),
    });
    uri = embedded.uri;
  }

  const connection = await connectMongo(uri);
  await prepareDatabase(connection);
  if (embedded) await seedDemoContent(connection, config.bcryptCost, logger);

  const app = createApp({ config, connection, logger });
  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info(`Folio is listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`);
  });
  server.on('error', (err) => {
    logger.fatal({ err }, 'HTTP server failed');
    process.exit(1);
  });

  installShutdown(server, logger, async () => {
    await connection.close();
    await embedded?.stop();
  });
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (10 s at most), close MongoDB,
 * exit 0. A second signal exits at once.
 */
function installShutdown(server: Server, logger: Logger, closeResources: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: finishing requests in flight, then exiting`);
    const force = setTimeout(() => {
      logger.warn('requests still running after 10 s: closing their connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive connections with no request in flight would otherwise hold close() open.
      server.closeIdleConnections();
    });
    clearTimeout(force);
    await closeResources();
    logger.info('shut down cleanly');
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `folio: ${err.message}` : err);
  process.exit(1);
});
