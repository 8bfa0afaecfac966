import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the run's slowest test files after vitest's own summary, so a slowdown is seen the day it lands
 * (`npm test` and CI). Per file: the time its tests and hooks took, plus importing it, and its project.
 */
export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const shown = 10;
    if (testModules.length === 0) return;
    const files = testModules
      .map((m) => {
        const d = m.diagnostic();
        return { name: m.relativeModuleId, project: m.project.name, ms: d.duration + d.collectDuration };
      })
      .sort((a, b) => b.ms - a.ms)
      .slice(0, shown);
    const width = Math.max(...files.map((f) => f.name.length));
    const lines = files.map(
      (f) =>
        `  ${(f.ms / 1000).toFixed(1).padStart(6)} s  ${f.name.padEnd(width)}  ${f.project ? `(${f.project})` : ''}`,
    );
    console.log(`\n Slowest test files (tests and hooks, plus import):\n${lines.join('\n')}\n`);
  }
}
