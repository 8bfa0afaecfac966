import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config';
import { startEmbeddedMongo } from '../../src/db/embedded-mongo';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

interface SharedMongo {
  readonly started: Promise<{ uri: string; stop(): Promise<void> }>;
  users: number;
}

// Global setups run in the one main vitest process; the integration and process projects each list this file,
// and both get the same mongod through this slot (a Wine start costs seconds and a core).
const slot = globalThis as typeof globalThis & { folioTestMongo?: SharedMongo };

/** Starts one real mongod (temporary data) for every test file of the run, whatever the project. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  slot.folioTestMongo ??= {
    started: startEmbeddedMongo({
      mongod: loadConfig({ ...process.env, NODE_ENV: 'test' }).embeddedMongo,
      log: (line) => console.error(line),
    }),
    users: 0,
  };
  const shared = slot.folioTestMongo;
  shared.users += 1;
  const mongo = await shared.started;
  project.provide('mongoUri', mongo.uri);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    slot.folioTestMongo = undefined;
    await mongo.stop();
  };
}
