import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets Folio must be able to read back (authenticator-code seeds), stored with AES-256-GCM under
 * DATA_ENCRYPTION_KEY, so a copy of the database alone yields no second factor. Several keys may be given
 * (rotation): the first encrypts, each stored value names the key it was made with, and every key decrypts.
 *
 * Stored form: `enc1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id is a hash of the
 * derived key, not the key. Anything else is a value written before encryption (see `isEncrypted`).
 */
const PREFIX = 'enc1';

interface DataKey {
  readonly id: string;
  readonly key: Buffer;
}

export class DataCipher {
  private readonly keys: readonly DataKey[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('DataCipher needs at least one key');
    this.keys = secrets.map((secret) => {
      // HKDF: the configured string (any length ≥ 32) becomes exactly 256 bits for AES-256.
      const key = Buffer.from(hkdfSync('sha256', secret, '', 'folio data-encryption v1', 32));
      return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
    });
  }

  static isEncrypted(value: string): boolean {
    return value.startsWith(`${PREFIX}.`);
  }

  encrypt(plain: string, context: string): string {
    const current = this.keys[0] as DataKey;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    // The context (e.g. the account id) is authenticated: a seed copied onto another account does not decrypt.
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [PREFIX, current.id, iv, cipher.getAuthTag(), body]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  decrypt(stored: string, context: string): string {
    const [prefix, keyId, iv, tag, body] = stored.split('.');
    if (prefix !== PREFIX || !keyId || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('not an encrypted value');
    }
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) throw new Error('encrypted with a key that is not configured (DATA_ENCRYPTION_KEY)');
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** True when the value was made with a key other than the current one (it can be re-encrypted). */
  isStale(stored: string): boolean {
    return stored.split('.')[1] !== this.keys[0]?.id;
  }
}
