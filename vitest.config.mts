import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Three projects, all run by `npm test`; one alone with `npm test -- --project unit` (or integration, process).
 * - unit: no database, no server: seconds.
 * - integration: the app in-process (createApp + supertest) on one shared mongod, a database per test file.
 * - process: the built server (node dist/server.js) spawned for what only a process shows.
 * e2e (Chromium) is its own config: `npm run test:e2e`.
 */
const UNIT = [
  'test/config.test.ts',
  'test/db/mongod-start.test.ts',
  'test/posts/markdown.test.ts',
  'test/recovery/dev-secret.test.ts',
  'test/views/format.test.ts',
  'test/views/includes.test.ts',
];
const PROCESS = ['test/process/**/*.test.ts', 'test/recovery/dev-restart.test.ts'];

/**
 * The order files are handed to workers: the process project first, then integration, then unit; within each,
 * failed files first, then the longest (the last run's durations in vitest's cache; on a clean clone, as in CI,
 * every file of a project counts alike).
 *
 * vitest's own order queues integration, then process, then unit, so the slowest files of the run — the process
 * tests: a replica set, restarts, a 10 s shutdown grace, mostly waiting on mongods and child processes — started
 * last and ran on as a tail while the other workers had nothing left to do. Interleaving all files longest first
 * cost more than it won: a worker that changes project starts afresh and imports everything again (the
 * projects don't isolate their files, to import once per worker). Process files first, then the others, keeps
 * each worker on one project at a time and ends the run on short files.
 */
const PROJECT_ORDER = ['process', 'integration', 'unit'];
const USUAL_MS: Record<string, number> = { process: 12_000, integration: 2_000, unit: 300 };

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const known = (file: TestSpecification) =>
      cache.getFileTestResults(`${file.project.name}:${relative(config.root, file.moduleId)}`);
    const estimate = (file: TestSpecification) => known(file)?.duration ?? USUAL_MS[file.project.name] ?? 2_000;
    const failed = (file: TestSpecification) => (known(file)?.failed ? 1 : 0);
    const rank = (file: TestSpecification) => PROJECT_ORDER.indexOf(file.project.name);
    return [...files].sort((a, b) => rank(a) - rank(b) || failed(b) - failed(a) || estimate(b) - estimate(a));
  }
}

export default defineConfig({
  test: {
    pool: 'forks',
    // vitest's usual output, then the ten slowest files (test/support/slowest-files-reporter.ts).
    reporters: ['default', './test/support/slowest-files-reporter.ts'],
    // One queue for the three projects, longest files first (see the sequencer for why).
    sequence: { sequencer: LongestFirstSequencer },
    // Bounds against a hang, not targets: on this 2-core machine shared by several developers, a file's ordinary
    // test has taken over 30 s (load average 30).
    testTimeout: 90_000,
    hookTimeout: 180_000,
    // Most of a test's time is spent waiting on mongod or a child process, not on this CPU: more files in flight
    // than cores (vitest's default would be one worker on two cores).
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        // No file mocks a module or changes process.env: they share a worker's modules too.
        test: { name: 'unit', include: UNIT, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...PROCESS, 'test/e2e/**', 'node_modules/**'],
          // One mongod for the whole run (a Wine start costs seconds); each test file gets its own database.
          globalSetup: ['test/support/global-setup.ts'],
          // Files run one after another in a worker that keeps its loaded modules (the app, mongoose, EJS…):
          // importing them again for each of ~45 files cost more CPU than the tests. Files share no state but
          // module-level caches (each has its own database and app), and no file mocks a module.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'process',
          include: PROCESS,
          // As in integration: the files' own imports (mongodb-memory-server, mongoose, the config) are loaded once
          // per worker, not once per file. The servers they test are separate processes, fresh every time.
          isolate: false,
          // Its own mongod (its servers create collections at start), and dist/ built once for the spawned servers.
          globalSetup: ['test/support/global-setup.ts', 'test/support/build-server.ts'],
        },
      },
    ],
  },
});
