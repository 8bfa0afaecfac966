import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/paths';

/**
 * Global setup of the process tests: builds dist/ once (`tsc -p tsconfig.build.json`, as `npm start` does), so
 * every spawned server is `node dist/server.js` — a start in well under a second instead of tsx compiling
 * src/ again in each process. `--noCheck`: emit only; type errors are `npm run typecheck`'s job (and CI's).
 */
export default async function setup(): Promise<void> {
  const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const started = performance.now();
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: projectRoot });
  console.info(`process tests: built dist/ in ${Math.round(performance.now() - started)} ms`);
}
