import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import { createApp } from '../../src/app';
import { type Config, loadConfig } from '../../src/config';
import { connectMongo } from '../../src/db/connect';
import { prepareDatabase } from '../../src/db/prepare-database';
import { createLogger } from '../../src/logger';
import type { WriteLimits } from '../../src/security/rate-limit';
import { createServices } from '../../src/services';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-production-1';

export interface TestApp {
  readonly app: Express;
  readonly config: Config;
  readonly connection: Connection;
  readonly logger: Logger;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: TEST_SECRET,
    // The lowest cost the app accepts: tests stay fast, the code path is the production one.
    BCRYPT_COST: '10',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/** A fresh database on the run's shared mongod, for one test file. */
export async function connectTestDb(dbName = `folio_test_${randomUUID().slice(0, 8)}`): Promise<Connection> {
  const connection = await connectMongo(inject('mongoUri'), { dbName });
  await prepareTestDb(connection);
  return connection;
}

/** Every collection and index, made by the registry of the app's own services (src/db/personal-data.ts). */
export async function prepareTestDb(connection: Connection): Promise<void> {
  const config = testConfig();
  await prepareDatabase(createServices({ config, connection, logger: createLogger(config) }).personalData);
}

export async function startTestApp(
  options: {
    env?: Record<string, string>;
    connection?: Connection;
    logger?: Logger;
    now?: () => number;
    writeLimits?: WriteLimits;
  } = {},
): Promise<TestApp> {
  const connection = options.connection ?? (await connectTestDb());
  const config = testConfig(options.env);
  const logger = options.logger ?? createLogger(config);
  const app = createApp({ config, connection, logger, now: options.now, writeLimits: options.writeLimits });
  return {
    app,
    config,
    connection,
    logger,
    close: async () => {
      if (!options.connection) {
        await connection.dropDatabase();
        await connection.close();
      }
    },
  };
}
