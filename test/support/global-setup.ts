import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config';
import { startEmbeddedMongo } from '../../src/db/embedded-mongo';
import { removeStaleScratchDirs, scratchDir } from './scratch-dir';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

interface SharedMongo {
  readonly started: Promise<{ uri: string; stop(): Promise<void> }>;
  users: number;
}

// Global setups run in the one main vitest process; the integration and process projects each list this file.
// Each project gets its own mongod (keyed by project name): the servers the process tests spawn create their
// collections at start, which must not race the integration files' creations on one Wine-hosted mongod.
const slots = globalThis as typeof globalThis & { folioTestMongo?: Map<string, SharedMongo> };

/** Starts one real mongod (temporary data) for every test file of a project. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  slots.folioTestMongo ??= new Map();
  const key = project.name;
  let shared = slots.folioTestMongo.get(key);
  if (!shared) {
    removeStaleScratchDirs();
    // On tmpfs where there is one (scratch-dir.ts), removed after the mongod stops.
    const dataDir = scratchDir(`mongod-${key}`);
    shared = {
      started: startEmbeddedMongo({
        mongod: loadConfig({ ...process.env, NODE_ENV: 'test' }).embeddedMongo,
        dataDir,
        log: (line) => console.error(line),
      }).then((mongo) => ({
        uri: mongo.uri,
        stop: async () => {
          await mongo.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      })),
      users: 0,
    };
    slots.folioTestMongo.set(key, shared);
  }
  const mine = shared;
  mine.users += 1;
  const mongo = await mine.started;
  project.provide('mongoUri', mongo.uri);
  return async () => {
    mine.users -= 1;
    if (mine.users > 0) return;
    slots.folioTestMongo?.delete(key);
    await mongo.stop();
  };
}
