import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { startEmbeddedMongo } from '../src/db/embedded-mongo';

export interface BenchDatabase {
  readonly uri: string;
  /** A fresh database per run, so the benchmark never reads or changes anyone's data. */
  readonly dbName: string;
  readonly source: 'MONGODB_URI' | 'embedded';
  /** Stops the embedded mongod (its temporary data goes with it); a given MONGODB_URI is left running. */
  stop(): Promise<void>;
}

/** MONGODB_URI when given, else an embedded mongod on a temporary data directory (never `.data/mongo`). */
export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const dbName = `folio_bench_${randomBytes(4).toString('hex')}`;
  const given = process.env.MONGODB_URI;
  if (given) return { uri: given, dbName, source: 'MONGODB_URI', stop: async () => {} };

  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const mongo = await startEmbeddedMongo({ mongod: config.embeddedMongo, log });
  return { uri: mongo.uri, dbName, source: 'embedded', stop: () => mongo.stop() };
}
