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

/** A fresh database on the run's shared mongod, for one test file. */
export async function connectTestDb(dbName = `folio_test_${randomUUID().slice(0, 8)}`): Promise<Connection> {
  const connection = await connectMongo(inject('mongoUri'), { dbName });
  // One file at a time creates its collections: files run in parallel (see db-lock.ts).
  await withCatalogLock(inject('mongoUri'), () => prepareTestDb(connection));
  return connection;
}

/** Every collection and index, made by the registry of the app's own services (src/db/personal-data.ts). */
export async function prepareTestDb(connection: Connection): Promise<void> {
  const config = testConfig();
  await prepareDatabase(createServices({ config, connection, logger: createLogger(config) }).personalData);
}
