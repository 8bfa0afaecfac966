import { describe, inject, it } from 'vitest';
import { freePort, withDatabase } from '../support/process-mongod';
import { runUntilExit } from '../support/spawn-server';

/**
 * A production process refuses to start on configuration that would be unsafe there, with one line an
 * operator can act on and exit code 1 — before it listens or touches the database.
 * Every variable under test is passed explicitly, empty when "missing": dotenv never overrides a variable
 * that is already set, so a developer's .env cannot leak in, and the config treats empty as unset.
 */

const GOOD_SECRET = 'a-production-secret-of-at-least-32-chars';
const GOOD_KEY = 'a-production-data-key-of-at-least-32-chars';

const cases = [
  {
    name: 'no SESSION_SECRET',
    env: { SESSION_SECRET: '' },
    line: /^folio: configuration: SESSION_SECRET is required in production$/,
  },
  {
    name: 'a SESSION_SECRET shorter than 32 characters',
    env: { SESSION_SECRET: 'too-short' },
    line: /^folio: configuration: SESSION_SECRET every secret must be at least 32 characters in production$/,
  },
  {
    name: 'a short secret among rotated ones',
    env: { SESSION_SECRET: `${GOOD_SECRET},old` },
    line: /^folio: configuration: SESSION_SECRET every secret must be at least 32 characters in production$/,
  },
  {
    name: 'no DATA_ENCRYPTION_KEY',
    env: { DATA_ENCRYPTION_KEY: '' },
    line: /^folio: configuration: DATA_ENCRYPTION_KEY is required in production$/,
  },
  {
    name: 'no MONGODB_URI',
    env: { MONGODB_URI: '' },
    line: /^folio: configuration: MONGODB_URI is required in production \(the embedded MongoDB is for development only\)$/,
  },
];

// Concurrent: short-lived processes that mostly wait on their own start-up (~10 s each when CI is busy).
describe.concurrent('production start refused', { timeout: 90_000 }, () => {
  it.for(cases)('$name → exit 1 with one clear line', async ({ env, line }, { expect }) => {
    const result = await runUntilExit({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      MONGODB_URI: withDatabase(inject('mongoUri'), 'folio_never_used'),
      SESSION_SECRET: GOOD_SECRET,
      DATA_ENCRYPTION_KEY: GOOD_KEY,
      ...env,
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(result.stdout).not.toContain('listening');
  });

  it('MongoDB unreachable at start → exit 1 with one clear line (for the process manager to restart it)', async ({
    expect,
  }) => {
    const result = await runUntilExit({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/folio`,
      SESSION_SECRET: GOOD_SECRET,
      DATA_ENCRYPTION_KEY: GOOD_KEY,
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^folio: cannot connect to MongoDB: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(result.stdout).not.toContain('listening');
  });
});
