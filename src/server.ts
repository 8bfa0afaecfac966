import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import dotenv from 'dotenv';
import type { Logger } from 'pino';
import { schedulePurges } from './account-deletion/account-deletion';
import { createApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { connectMongo, logConnectionChanges } from './db/connect';
import { type EmbeddedMongo, startEmbeddedMongo } from './db/embedded-mongo';
import { prepareDatabase } from './db/prepare-database';
import { loadDevSecret } from './dev/dev-secret';
import { seedDemoContent } from './dev/seed-demo';
import { createLogger } from './logger';
import { projectRoot } from './paths';
import { createServices } from './services';

/** The process: configuration, MongoDB, the HTTP server, and an orderly shutdown. */

const SHUTDOWN_GRACE_MS = 10_000;

function readConfig(): Config {
  dotenv.config({ quiet: true });
  try {
    // Development without SESSION_SECRET: the secret kept in .data/, so a restart signs nobody out.
    const devSecret = loadDevSecret(process.env, path.join(projectRoot, '.data'));
    // Likewise the key that encrypts authenticator seeds: kept in .data/data-key, so they stay readable.
    const devDataKey = loadDevSecret(process.env, path.join(projectRoot, '.data'), {
      variable: 'DATA_ENCRYPTION_KEY',
      fileName: 'data-key',
    });
    return loadConfig({
      ...process.env,
      ...(devSecret ? { SESSION_SECRET: devSecret.secret } : {}),
      ...(devDataKey ? { DATA_ENCRYPTION_KEY: devDataKey.secret } : {}),
    });
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
  for (const warning of config.warnings) logger.warn(warning);

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

  const connection = await connectMongo(uri).catch((err: unknown) => {
    // Exit 1 with one line; the process manager restarts us. (Only the host is in the driver's message.)
    throw new Error(`cannot connect to MongoDB: ${err instanceof Error ? err.message : String(err)}`);
  });
  const stopLoggingConnection = logConnectionChanges(connection, logger);
  // Every part built once; the app and the purge timer share them, and shutdown flushes and closes them.
  const services = createServices({ config, connection, logger });
  await prepareDatabase(services.personalData);
  if (embedded) await seedDemoContent(connection, config.bcryptCost, logger);

  const { mailer, pageViews } = services;
  const app = createApp(services);
  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info(`Folio is listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`);
  });
  // Closed accounts past their grace period: purged by whichever process gets there first.
  const stopPurges = schedulePurges(services.deletion, logger);
  // Site settings changed on another process reach this one's pages within seconds (site-settings.ts).
  // A failed refresh (MongoDB briefly away) keeps the last settings: a warning, not an error.
  const stopSettingsRefresh = services.siteSettings.startRefresh(5_000, (err) =>
    logger.warn({ err }, 'site settings refresh failed; keeping the last ones'),
  );
  server.on('error', (err) => {
    logger.fatal({ err }, 'HTTP server failed');
    process.exit(1);
  });

  installShutdown(server, logger, async () => {
    stopLoggingConnection();
    stopPurges();
    stopSettingsRefresh();
    // Page views counted in the last second are stored, not lost with the process.
    const viewsStored = await pageViews.flush();
    // Mail queued by the last requests goes out (or is given up) before MongoDB closes under the outbox.
    await mailer.close();
    // Also closes the session store and the throttle, which share this connection's client.
    await connection.close();
    await embedded?.stop();
    return viewsStored;
  });
}

/** The same signal again this soon is one Ctrl-C delivered twice (by the terminal and by npm or tsx). */
const SAME_SIGNAL_MS = 250;

/**
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (10 s at most), store what is
 * buffered, close MongoDB, exit 0 ("shut down cleanly" only if all of that worked; else exit 1). A second
 * signal exits at once (but not the same one again within SAME_SIGNAL_MS: see below).
 */
function installShutdown(server: Server, logger: Logger, closeResources: () => Promise<boolean>): void {
  const drain = trackInFlight(server);
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const stop = async (signal: NodeJS.Signals) => {
    if (first) {
      // Ctrl-C under `npm start` or `npm run dev` reaches Folio twice: the terminal signals the whole group,
      // and the npm/tsx parent forwards its own copy. Only another signal, or a later one, means "stop waiting".
      if (signal === first.signal && performance.now() - first.at < SAME_SIGNAL_MS) return;
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    first = { signal, at: performance.now() };
    logger.info(`${signal}: finishing requests in flight, then exiting`);
    const force = setTimeout(() => {
      logger.warn('requests still running after 10 s: closing their connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      drain();
    });
    clearTimeout(force);
    let clean: boolean;
    try {
      clean = await closeResources();
    } catch (err) {
      logger.error({ err }, 'closing MongoDB failed');
      process.exit(1);
    }
    if (!clean) {
      logger.error('shut down, but buffered data could not be stored (see above)');
      process.exit(1);
    }
    logger.info('shut down cleanly');
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

const DRAIN_POLL_MS = 100;

/**
 * server.close() waits for every connection to end, and Node keeps a keep-alive connection open after the
 * response in flight on it (until the client's or keepAliveTimeout's 5 s end it). So once draining starts,
 * every response not yet begun says `Connection: close` and its socket ends with it; connections that turn
 * idle later (a response already streaming at the signal) are closed as soon as they do.
 * Returns the function that starts draining.
 */
function trackInFlight(server: Server): () => void {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  // Prepended: it must run before the app, which may answer (and send its headers) synchronously.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  return () => {
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    server.closeIdleConnections();
    const poll = setInterval(() => server.closeIdleConnections(), DRAIN_POLL_MS);
    poll.unref();
    server.once('close', () => clearInterval(poll));
  };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `folio: ${err.message}` : err);
  process.exit(1);
});
