import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs `work` while no other test file of this run creates or drops collections on the same mongod.
 * The Wine-hosted mongod (README, "MongoDB, three ways") can crash on an internal write conflict when
 * collections are created concurrently; test files run in parallel worker processes, so the lock is a
 * directory (mkdir is atomic), named after the mongod's address. Bounded: after 3 minutes (a worker that
 * died holding it) the work runs anyway.
 */
export async function withCatalogLock<T>(mongoUri: string, work: () => Promise<T>): Promise<T> {
  const name = `folio-catalog-${mongoUri.replace(/[^a-z0-9]+/gi, '_')}`;
  const dir = path.join(os.tmpdir(), name);
  let held = false;
  for (let i = 0; i < 3_600 && !held; i++) {
    try {
      await mkdir(dir);
      held = true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await work();
  } finally {
    if (held) await rm(dir, { recursive: true, force: true });
  }
}
