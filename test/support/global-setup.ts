import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config';
import { startEmbeddedMongo } from '../../src/db/embedded-mongo';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/** Starts one real mongod (temporary data) for every test file of the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const mongo = await startEmbeddedMongo({ mongod: config.embeddedMongo, log: (line) => console.error(line) });
  project.provide('mongoUri', mongo.uri);
  return async () => {
    await mongo.stop();
  };
}
