import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/paths';

/**
 * Global setup of the process tests: builds dist/ once (`tsc -p tsconfig.build.json` and the assets, as `npm start` does), so
 * every spawned server is `node dist/server.js` — a start in well under a second instead of tsx compiling
 * src/ again in each process. `--noCheck`: emit only; type errors are `npm run typecheck`'s job (and CI's).
 */
export default async function setup(): Promise<void> {
  const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const started = performance.now();
  const run = promisify(execFile);
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: projectRoot });
  // The minified, content-hashed CSS and JS a built server serves (dist/static), as `npm run build` makes them.
  await run(process.execPath, [path.join(projectRoot, 'dist', 'assets', 'build-cli.js')], { cwd: projectRoot });
  console.info(`process tests: built dist/ in ${Math.round(performance.now() - started)} ms`);
}
