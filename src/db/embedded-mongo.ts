import { mkdirSync } from 'node:fs';
import { MongoMemoryServer } from 'mongodb-memory-server';
import type { EmbeddedMongoConfig } from '../config';
import { resolveMongodBinary } from './mongod-binary';
import { startMongodWithRetry } from './mongod-start';

export interface EmbeddedMongo {
  readonly uri: string;
  stop(): Promise<void>;
}

/**
 * A real mongod for development, with its data kept in `dataDir` across restarts
 * (mongodb-memory-server would otherwise use a temporary directory and delete it).
 */
export async function startEmbeddedMongo(options: {
  mongod: EmbeddedMongoConfig;
  /** Kept across restarts; undefined → a temporary directory (tests). */
  dataDir?: string;
  log: (line: string) => void;
}): Promise<EmbeddedMongo> {
  const binary = await resolveMongodBinary(options.mongod, options.log);
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = await startMongodWithRetry(
    () =>
      MongoMemoryServer.create({
        binary: { version: options.mongod.version, systemBinary: binary.systemBinary },
        // Under Wine on a busy 2-core machine a start can take well over mongodb-memory-server's default 10 s.
        instance: { dbPath: options.dataDir, storageEngine: 'wiredTiger', launchTimeout: 60_000 },
        // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and a mongod in it
        // would stop under Folio before Folio stores what it buffers. Folio stops it itself at shutdown (and
        // mongodb-memory-server's watchdog kills it if Folio dies without doing so).
        spawn: { detached: true },
      }),
    { log: options.log },
  );
  return {
    uri: server.getUri(),
    // A kept data directory is the point of embedded mode; a temporary one is removed.
    stop: async () => {
      await server.stop({ doCleanup: options.dataDir === undefined });
    },
  };
}
