import { defineConfig } from 'vitest/config';

/** Real-browser tests: Debian's Chromium driven by playwright-core, against an app on a free port. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One browser at a time: two cores.
    fileParallelism: false,
  },
});
