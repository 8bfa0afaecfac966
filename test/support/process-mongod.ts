import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { MongoMemoryReplSet, MongoMemoryServer } from 'mongodb-memory-server';
import { loadConfig } from '../../src/config';
import { resolveMongodBinary } from '../../src/db/mongod-binary';
import { startMongodWithRetry } from '../../src/db/mongod-start';
import { scratchDir } from './scratch-dir';

/**
 * Extra mongods for the few process tests that need their own (an outage, a replica set). Everything else
 * shares the run's one mongod (global-setup.ts): each of these costs seconds to start, more under Wine.
 */

const embedded = loadConfig({ ...process.env, NODE_ENV: 'test' }).embeddedMongo;

/** The same mongod the app would use: MONGOMS_SYSTEM_BINARY, the offline build, or a downloaded one. */
async function binaryOptions(): Promise<{ version: string; systemBinary: string | undefined }> {
  const binary = await resolveMongodBinary(embedded, (line) => console.error(line));
  return { version: embedded.version, systemBinary: binary.systemBinary };
}

/** A port nobody listens on right now (the OS picks it), so a mongod can be stopped and restarted on it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A standalone mongod on a fixed port and data directory: `stop()` then `start(true)` brings the same one back. */
export async function startStandalone(options: { port: number; dbPath: string }): Promise<MongoMemoryServer> {
  const binary = await binaryOptions();
  return startMongodWithRetry(
    () =>
      MongoMemoryServer.create({
        binary,
        instance: {
          port: options.port,
          dbPath: options.dbPath,
          storageEngine: 'wiredTiger',
          portGeneration: false,
          launchTimeout: 120_000,
        },
      }),
    { log: (line) => console.error(line) },
  );
}

/**
 * A three-member replica set with durable storage, so a step-down behaves as in production. Its data is on
 * tmpfs where there is one (scratch-dir.ts): stop it with `{ doCleanup: true, force: true }`, which removes
 * those directories (mongodb-memory-server removes only directories it made itself otherwise).
 */
export async function startReplicaSet(): Promise<MongoMemoryReplSet> {
  const binary = await binaryOptions();
  return startMongodWithRetry(
    () =>
      MongoMemoryReplSet.create({
        binary,
        replSet: { count: 3, storageEngine: 'wiredTiger' },
        // Wine-hosted mongod on a busy 2-core machine can take longer than the default 10 s to start.
        instanceOpts: [0, 1, 2].map((member) => ({ launchTimeout: 120_000, dbPath: scratchDir(`rs${member}`) })),
      }),
    { log: (line) => console.error(line) },
  );
}

/** `base` (a MongoDB URI) pointed at the database `dbName`, keeping its host list and options. */
export function withDatabase(base: string, dbName: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?[^?]*(\?.*)?$/.exec(base);
  if (!match?.[1]) throw new Error(`not a MongoDB URI: ${base}`);
  return `${match[1]}/${dbName}${match[2] ?? ''}`;
}

export function uniqueDbName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}
