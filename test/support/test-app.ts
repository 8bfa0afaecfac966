import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config';
import { connectMongo } from '../../src/db/connect';
import { prepareDatabase } from '../../src/db/prepare-database';
import { createLogger } from '../../src/logger';
import { createServices } from '../../src/services';
import { withCatalogLock } from './db-lock';

// The one starter is startApp (test/support/app.ts); startTestApp is the same function under its old name,
// kept because tests written before the harness (and on other branches) import it from here.
export { startApp as startTestApp, type TestApp } from './app';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-production-1';
export const TEST_DATA_KEY = 'test-data-key-that-is-long-enough-for-production';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: TEST_SECRET,
    DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
    // bcrypt's floor, accepted outside production: ~1 ms a hash instead of ~60 at 10, same code path.
    // Production refuses less than 10, so an app configured as production gets that.
    BCRYPT_COST: overrides.NODE_ENV === 'production' ? '10' : '4',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/**
 * Databases of this worker that a finished test file gave back, every collection and index still in place.
 * Preparing a database (prepareTestDb) costs about a second of the Wine-hosted mongod, under the run-wide catalog
 * lock (db-lock.ts), so ~80 files preparing one each made the whole run queue on that lock; emptying a prepared
 * one costs a few milliseconds and changes no catalog. Integration files run one after another in a worker that
 * keeps its modules (isolate: false), so the pool lives as long as the worker; elsewhere it starts empty each
 * file and this is the old fresh-database path.
 */
const spareDatabases: string[] = [];

/**
 * A database of the run's shared mongod for one test file (or one app of it), with every collection and index
 * the app needs and no document: a spare one of this worker, emptied, or a freshly prepared one. Give it back
 * with releaseTestDb. `uri` lets a file watch the connection's commands (bench/mongo-commands.ts).
 */
export async function connectTestDb(options: { uri?: string } = {}): Promise<Connection> {
  const spare = spareDatabases.pop();
  const dbName = spare ?? `folio_test_${randomUUID().slice(0, 8)}`;
  const connection = await connectMongo(options.uri ?? inject('mongoUri'), { dbName });
  if (spare) await emptyDatabase(connection);
  // One file at a time creates its collections: files run in parallel (see db-lock.ts).
  else await withCatalogLock(inject('mongoUri'), () => prepareTestDb(connection));
  return connection;
}

/** Closes the file's connection and keeps its database for the worker's next file (emptied when taken). */
export async function releaseTestDb(connection: Connection): Promise<void> {
  const { name } = connection;
  await connection.close();
  spareDatabases.push(name);
}

/**
 * Deletes every document and keeps the collections and their indexes: what the previous file left, including
 * a write its app made after its last response (a security event, a page-view batch), emptied when the database
 * is taken rather than when given back.
 */
async function emptyDatabase(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('not connected');
  const collections = await db.listCollections({ type: 'collection' }, { nameOnly: true }).toArray();
  await Promise.all(
    collections.filter((c) => !c.name.startsWith('system.')).map((c) => db.collection(c.name).deleteMany({})),
  );
}

/** Every collection and index, made by the registry of the app's own services (src/db/personal-data.ts). */
export async function prepareTestDb(connection: Connection): Promise<void> {
  const config = testConfig();
  await prepareDatabase(createServices({ config, connection, logger: createLogger(config) }).personalData);
}
