import { createHash, randomBytes } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { DataCipher } from '../security/data-cipher';

export const PASSKEYS_COLLECTION = 'passkeys';
export const TWO_FACTOR_COLLECTION = 'two_factor';
const NAMESPACE_EXISTS = 48;

/** A registered WebAuthn credential (its public key only: the private key never leaves the authenticator). */
export interface PasskeyRecord {
  readonly _id?: mongo.ObjectId;
  readonly userId: string;
  /** base64url credential id, unique over all accounts. */
  readonly credentialId: string;
  readonly publicKey: mongo.Binary;
  counter: number;
  readonly transports: string[];
  /** "multiDevice" (synced, e.g. iCloud Keychain) or "singleDevice" (a security key). */
  readonly deviceType: string;
  backedUp: boolean;
  name: string;
  readonly createdAt: Date;
  lastUsedAt: Date | null;
}

export interface RecoveryCode {
  /** SHA-256 of the code: 50 random bits per code and single use, so a fast hash is enough. */
  readonly hash: string;
  readonly usedAt: Date | null;
}

/** Authenticator codes of one account: present only while they are turned on. */
export interface TwoFactorRecord {
  readonly _id?: mongo.ObjectId;
  readonly userId: string;
  /** The TOTP secret, base32 — stored encrypted (DataCipher, bound to the user id); plain once read. */
  readonly secret: string;
  readonly enabledAt: Date;
  /** The last time-step a code was accepted for: each code works once, and no earlier one after it. */
  readonly lastUsedStep: number;
  readonly recoveryCodes: RecoveryCode[];
}

/** The collections and indexes of passkeys and authenticator codes, made before traffic (prepare-database.ts). */
export async function prepareFactors(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('prepareFactors needs an open connection');
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of [PASSKEYS_COLLECTION, TWO_FACTOR_COLLECTION].filter((n) => !existing.has(n))) {
    await db.createCollection(name).catch((err: { code?: number }) => {
      if (err.code !== NAMESPACE_EXISTS) throw err;
    });
  }
  await db.collection(PASSKEYS_COLLECTION).createIndex({ credentialId: 1 }, { unique: true });
  await db.collection(PASSKEYS_COLLECTION).createIndex({ userId: 1, createdAt: 1 });
  await db.collection(TWO_FACTOR_COLLECTION).createIndex({ userId: 1 }, { unique: true });
}

export const RECOVERY_CODE_COUNT = 10;
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten codes like "k7pm-x3qz-vt9a", ~50 bits each; the plain codes are shown once and never stored. */
export function newRecoveryCodes(): { plain: string[]; stored: RecoveryCode[] } {
  const plain = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(12);
    const chars = Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
  return { plain, stored: plain.map((code) => ({ hash: hashRecoveryCode(code), usedAt: null })) };
}

/** Case, spaces and dashes as typed do not matter. */
export function normaliseRecoveryCode(code: string): string {
  const bare = code.toLowerCase().replace(/[\s-]/g, '');
  return `${bare.slice(0, 4)}-${bare.slice(4, 8)}-${bare.slice(8)}`;
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normaliseRecoveryCode(code)).digest('hex');
}

/** Passkeys and authenticator codes, each in a collection of its own. */
export class FactorStore {
  readonly passkeys: mongo.Collection<PasskeyRecord>;
  readonly twoFactor: mongo.Collection<TwoFactorRecord>;

  /** `cipher` encrypts seeds at rest; only code that never reads or writes a seed (the purge) may omit it. */
  constructor(
    connection: Connection,
    private readonly cipher?: DataCipher,
  ) {
    this.passkeys = connection.collection<PasskeyRecord>(PASSKEYS_COLLECTION);
    this.twoFactor = connection.collection<TwoFactorRecord>(TWO_FACTOR_COLLECTION);
  }

  private requireCipher(): DataCipher {
    if (!this.cipher) throw new Error('FactorStore needs its DataCipher to read or write authenticator seeds');
    return this.cipher;
  }

  /** The account's codes, with the seed decrypted. */
  async twoFactorOf(userId: string): Promise<TwoFactorRecord | null> {
    const record = await this.twoFactor.findOne({ userId });
    if (!record) return null;
    return { ...record, secret: await this.readSecret(record) };
  }

  /**
   * Decrypts a stored seed. A seed stored in the clear (before seeds were encrypted) or under a retired key is
   * re-encrypted under the current key on this first use — conditionally, so a concurrent change wins.
   */
  private async readSecret(record: TwoFactorRecord): Promise<string> {
    const cipher = this.requireCipher();
    const encrypted = DataCipher.isEncrypted(record.secret);
    const plain = encrypted ? cipher.decrypt(record.secret, record.userId) : record.secret;
    if (!encrypted || cipher.isStale(record.secret)) {
      await this.twoFactor.updateOne(
        { userId: record.userId, secret: record.secret },
        { $set: { secret: cipher.encrypt(plain, record.userId) } },
      );
    }
    return plain;
  }

  /** The setup secret kept in the session while codes are being turned on: encrypted there too. */
  sealSetupSecret(secret: string, userId: string): string {
    return this.requireCipher().encrypt(secret, `setup:${userId}`);
  }

  openSetupSecret(sealed: string, userId: string): string | undefined {
    try {
      return this.requireCipher().decrypt(sealed, `setup:${userId}`);
    } catch {
      // Another key, another user, or a clear value from before: a new secret is made instead.
      return undefined;
    }
  }

  async hasTwoFactor(userId: string): Promise<boolean> {
    return (await this.twoFactor.countDocuments({ userId }, { limit: 1 })) > 0;
  }

  /** Turns codes on; false when they already were (another tab got there first). */
  async enableTwoFactor(userId: string, secret: string, step: number, codes: RecoveryCode[], now: Date) {
    const res = await this.twoFactor.updateOne(
      { userId },
      {
        $setOnInsert: {
          userId,
          secret: this.requireCipher().encrypt(secret, userId),
          enabledAt: now,
          lastUsedStep: step,
          recoveryCodes: codes,
        },
      },
      { upsert: true },
    );
    return res.upsertedCount === 1;
  }

  async disableTwoFactor(userId: string): Promise<boolean> {
    return (await this.twoFactor.deleteOne({ userId })).deletedCount === 1;
  }

  /**
   * Records that a code of `step` was accepted — atomically, and only if no code of this or a later step was:
   * of two requests with the same code, exactly one wins.
   */
  async claimStep(userId: string, step: number): Promise<boolean> {
    const res = await this.twoFactor.updateOne(
      { userId, lastUsedStep: { $lt: step } },
      { $set: { lastUsedStep: step } },
    );
    return res.modifiedCount === 1;
  }

  /** Spends a recovery code, atomically: a code works once, even for two requests at the same moment. */
  async useRecoveryCode(userId: string, code: string, now: Date): Promise<{ used: boolean; left: number }> {
    const hash = hashRecoveryCode(code);
    const after = await this.twoFactor.findOneAndUpdate(
      { userId, recoveryCodes: { $elemMatch: { hash, usedAt: null } } },
      { $set: { 'recoveryCodes.$.usedAt': now } },
      { returnDocument: 'after' },
    );
    if (!after) return { used: false, left: 0 };
    return { used: true, left: after.recoveryCodes.filter((c) => c.usedAt === null).length };
  }

  async replaceRecoveryCodes(userId: string, codes: RecoveryCode[]): Promise<boolean> {
    return (await this.twoFactor.updateOne({ userId }, { $set: { recoveryCodes: codes } })).matchedCount === 1;
  }

  async listPasskeys(userId: string): Promise<PasskeyRecord[]> {
    return this.passkeys.find({ userId }).sort({ createdAt: 1 }).toArray();
  }

  async findPasskey(credentialId: string): Promise<PasskeyRecord | null> {
    return this.passkeys.findOne({ credentialId });
  }

  async addPasskey(record: PasskeyRecord): Promise<void> {
    await this.passkeys.insertOne(record);
  }

  async renamePasskey(userId: string, credentialId: string, name: string): Promise<boolean> {
    return (await this.passkeys.updateOne({ userId, credentialId }, { $set: { name } })).matchedCount === 1;
  }

  async removePasskey(userId: string, credentialId: string): Promise<PasskeyRecord | null> {
    return this.passkeys.findOneAndDelete({ userId, credentialId });
  }

  /**
   * Stores the counter of a verified assertion, only if it moved forward since it was read: two concurrent
   * uses of one assertion cannot both pass (the second finds the counter already there).
   */
  async recordPasskeyUse(
    credentialId: string,
    seenCounter: number,
    newCounter: number,
    backedUp: boolean,
    now: Date,
  ): Promise<boolean> {
    const res = await this.passkeys.updateOne(
      { credentialId, counter: seenCounter },
      { $set: { counter: newCounter, backedUp, lastUsedAt: now } },
    );
    return res.modifiedCount === 1;
  }

  /** Every factor of a purged account goes with it. */
  async removeAllOf(userId: string): Promise<void> {
    await Promise.all([this.passkeys.deleteMany({ userId }), this.twoFactor.deleteMany({ userId })]);
  }
}
