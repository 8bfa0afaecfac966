import { errors } from 'mongodb-memory-server';
import { describe, expect, it } from 'vitest';
import { startMongodWithRetry } from '../../src/db/mongod-start';

/** A start that fails with `failures` in turn, then succeeds. */
function flakyStart(failures: Error[]) {
  let calls = 0;
  const start = async () => {
    const failure = failures[calls++];
    if (failure) throw failure;
    return 'running';
  };
  return { start, calls: () => calls };
}

describe('startMongodWithRetry', () => {
  it('starts again after a crash during startup (an fassert, an early exit)', async () => {
    const lines: string[] = [];
    const flaky = flakyStart([
      new errors.StdoutInstanceError('Mongod internal error (fassert() failure'),
      new errors.UnexpectedCloseError(14, null),
    ]);
    await expect(startMongodWithRetry(flaky.start, { log: (l) => lines.push(l) })).resolves.toBe('running');
    expect(flaky.calls()).toBe(3);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('fassert');
  });

  it('gives up after the last attempt with the last error', async () => {
    const crash = new errors.StdoutInstanceError('Mongod internal error (fassert() failure');
    const flaky = flakyStart([crash, crash, crash, crash]);
    await expect(startMongodWithRetry(flaky.start, { attempts: 3, log: () => {} })).rejects.toBe(crash);
    expect(flaky.calls()).toBe(3);
  });

  it('does not retry what no retry can fix: no binary, a missing library', async () => {
    for (const error of [
      new errors.BinaryNotFoundError('/nowhere/mongod'),
      new errors.StdoutInstanceError(
        'Instance failed to start because a library is missing or cannot be opened: "libcrypto.so.1.1"',
      ),
    ]) {
      const flaky = flakyStart([error]);
      await expect(startMongodWithRetry(flaky.start, { log: () => {} })).rejects.toBe(error);
      expect(flaky.calls()).toBe(1);
    }
  });
});
