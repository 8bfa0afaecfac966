import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Development without SESSION_SECRET: one secret, made once and kept in `.data/session-secret` (gitignored,
 * readable by its owner only), so restarting `npm run dev` keeps everyone signed in — like Rails'
 * development secret. Returns undefined when it does not apply: production (which requires the variable),
 * tests (which pass their own), or a secret already given.
 */
export function loadDevSecret(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
  // The data-encryption key (DATA_ENCRYPTION_KEY, `.data/data-key`) is made and kept the same way.
  which: { readonly variable: string; readonly fileName: string } = {
    variable: 'SESSION_SECRET',
    fileName: 'session-secret',
  },
): { secret: string; file: string; created: boolean } | undefined {
  const nodeEnv = env.NODE_ENV || 'development';
  if (nodeEnv !== 'development' || (env[which.variable] ?? '').trim() !== '') return undefined;
  const file = path.join(dataDir, which.fileName);
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return { secret: kept, file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx': of two processes starting at once, one writes the secret and the other reads it.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return { secret: kept, file, created: false };
    // A kept secret too short to use (edited by hand): replaced.
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  }
  // The mode given when writing applies only to a file being created; a replaced one is fixed here.
  chmodSync(file, 0o600);
  return { secret, file, created: true };
}
