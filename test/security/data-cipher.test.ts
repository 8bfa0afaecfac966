import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { loadDevSecret } from '../../src/dev/dev-secret';
import { DataCipher } from '../../src/security/data-cipher';

/** DATA_ENCRYPTION_KEY (issue 19): AES-256-GCM for secrets Folio reads back, with key rotation. */

const OLD = 'an-old-data-key-of-at-least-32-characters';
const NEW = 'a-new-data-key-of-at-least-32-characters!';

describe('the data cipher', () => {
  it('encrypts with the first key; every key decrypts (rotation); the value names no secret', () => {
    const before = new DataCipher([OLD]);
    const stored = before.encrypt('JBSWY3DPEHPK3PXP', 'user-1');
    expect(DataCipher.isEncrypted(stored)).toBe(true);
    expect(stored).not.toContain('JBSWY3DPEHPK3PXP');
    expect(before.encrypt('JBSWY3DPEHPK3PXP', 'user-1')).not.toBe(stored); // a fresh IV each time
    const rotated = new DataCipher([NEW, OLD]);
    expect(rotated.decrypt(stored, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(rotated.isStale(stored)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('x', 'user-1'))).toBe(false);
    // Without the key it was made with, or for another account, or altered: nothing comes out.
    expect(() => new DataCipher([NEW]).decrypt(stored, 'user-1')).toThrow();
    expect(() => rotated.decrypt(stored, 'user-2')).toThrow();
    const parts = stored.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => rotated.decrypt(parts.join('.'), 'user-1')).toThrow();
  });

  it('configuration: a comma list; development keeps one in .data/data-key', () => {
    expect(loadConfig({ DATA_ENCRYPTION_KEY: `${NEW}, ${OLD}` }).dataEncryptionKeys).toEqual([NEW, OLD]);
    // Without one outside production, a key derived from the session secret (so processes sharing it agree).
    const a = loadConfig({ SESSION_SECRET: OLD }).dataEncryptionKeys;
    expect(a).toEqual(loadConfig({ SESSION_SECRET: OLD }).dataEncryptionKeys);
    expect(a[0]).not.toBe(OLD);
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'folio-data-key-')), '.data');
    const which = { variable: 'DATA_ENCRYPTION_KEY', fileName: 'data-key' };
    const made = loadDevSecret({}, dir, which);
    expect(made?.created).toBe(true);
    expect(statSync(path.join(dir, 'data-key')).mode & 0o777).toBe(0o600);
    expect(loadDevSecret({}, dir, which)?.secret).toBe(made?.secret);
    expect(loadDevSecret({ DATA_ENCRYPTION_KEY: NEW }, dir, which)).toBeUndefined();
  });
});
