import mongoose from 'mongoose';
import type { Logger } from 'pino';

export const DEFAULT_DB_NAME = 'folio';

/**
 * Opens the app's one MongoDB connection. Short server selection, so a request that needs the database
 * during an outage fails fast (503) instead of hanging; the driver keeps reconnecting by itself.
 */
export async function connectMongo(uri: string, options: { dbName?: string } = {}): Promise<mongoose.Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName: options.dbName ?? dbNameFromUri(uri) ?? DEFAULT_DB_NAME,
    serverSelectionTimeoutMS: 2_000,
    // Generous: a freshly started or busy mongod can be slow to accept; requests are still bounded by the 2 s above.
    connectTimeoutMS: 10_000,
    socketTimeoutMS: 20_000,
    // Queries issued while disconnected fail at once rather than waiting in mongoose's buffer.
    bufferCommands: false,
    // Collections and indexes are created once, in order, by prepareDatabase() — never by mongoose as a
    // side effect of compiling a model, which races other creations (see prepare-database.ts).
    autoIndex: false,
    autoCreate: false,
  });
  await connection.asPromise();
  return connection;
}

/**
 * Logs losing and regaining MongoDB once each, so an outage shows in the logs as one event with a start and an
 * end rather than only as a 503 per request. Returns the function that stops logging (before a planned close).
 */
export function logConnectionChanges(connection: mongoose.Connection, logger: Logger): () => void {
  const lost = () => logger.warn('MongoDB connection lost: requests that need it get 503 until it is back');
  const restored = () => logger.info('MongoDB connection restored');
  connection.on('disconnected', lost);
  connection.on('reconnected', restored);
  return () => {
    connection.off('disconnected', lost);
    connection.off('reconnected', restored);
  };
}

function dbNameFromUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
