import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDevSecret } from '../../src/dev/dev-secret';
import { projectRoot } from '../../src/paths';

describe('development that remembers its session secret', () => {
  it('makes one secret once, readable by its owner only, and reuses it', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'folio-secret-')), '.data');
    const first = loadDevSecret({}, dir);
    expect(first?.created).toBe(true);
    expect(first?.secret.length).toBeGreaterThanOrEqual(43);
    const file = path.join(dir, 'session-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadDevSecret({ NODE_ENV: 'development' }, dir);
    expect(again).toEqual({ secret: first?.secret, file, created: false });
  });

  it('replaces a kept secret that is too short', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'folio-secret-'));
    writeFileSync(path.join(dir, 'session-secret'), 'short\n', { mode: 0o644 });
    const made = loadDevSecret({}, dir);
    expect(made?.created).toBe(true);
    expect(readFileSync(path.join(dir, 'session-secret'), 'utf8').trim()).toBe(made?.secret);
    expect(statSync(path.join(dir, 'session-secret')).mode & 0o777).toBe(0o600);
  });

  it('leaves production, tests and a given SESSION_SECRET alone', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'folio-secret-'));
    expect(loadDevSecret({ NODE_ENV: 'production' }, dir)).toBeUndefined();
    expect(loadDevSecret({ NODE_ENV: 'test' }, dir)).toBeUndefined();
    expect(loadDevSecret({ SESSION_SECRET: 'given' }, dir)).toBeUndefined();
  });

  it('keeps it where git does not look', () => {
    expect(readFileSync(path.join(projectRoot, '.gitignore'), 'utf8').split('\n')).toContain('.data/');
  });
});
