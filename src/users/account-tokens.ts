import { createHash, randomBytes } from 'node:crypto';
import { type Connection, Types } from 'mongoose';

export const TOKENS_COLLECTION = 'account_tokens';
const NAMESPACE_EXISTS = 48;

/**
 * reset: set a new password; verify: confirm an address; not-me: "this wasn't me" in a new-device alert
 * (names the session to end); undo-delete: cancel a scheduled account deletion.
 */
export type TokenKind = 'reset' | 'verify' | 'not-me' | 'undo-delete';

/** Kinds where a newer link does not void the older ones: each alert's link must work on its own. */
const INDEPENDENT_KINDS: ReadonlySet<TokenKind> = new Set(['not-me']);

export interface TokenRecord {
  readonly _id: Types.ObjectId;
  readonly kind: TokenKind;
  /** SHA-256 of the token: a copy of the database yields no usable link. */
  readonly tokenHash: string;
  readonly userId: string;
  /** The address the link was mailed to (for verification: the address it confirms). */
  readonly email: string;
  /** What the link acts on, beyond the user (not-me: the public id of the session to end). */
  readonly subject?: string;
  /** The user's credentials version when the link was issued: any password change (a bump) voids it. */
  readonly credentialsVersion: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Why a link cannot be used. Both get the same page; only the status differs (404 unknown, 410 spent). */
export type TokenProblem = 'unknown' | 'expired';
export type TokenCheck = { ok: true; record: TokenRecord } | { ok: false; problem: TokenProblem };

/** 32 random bytes (256 bits), URL-safe: far past the 128 bits a guessable link would need. */
function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Only well-formed tokens reach a query; anything else is unknown without a round-trip. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Bumped by every password change and reset (auth/credentials.ts): links issued before one are void. */
export function credentialsVersionOf(user: { readonly credentialsVersion?: number | null }): number {
  return user.credentialsVersion ?? 0;
}

/**
 * Mailed links: single use (deleted atomically when used), expiring, void after a newer link of the same
 * kind for the same user, void after any change of the user's credentials (password change or reset,
 * closure: a bump of credentialsVersion), and stored only as hashes.
 */
export class AccountTokens {
  constructor(
    private readonly connection: Connection,
    private readonly now: () => number,
  ) {}

  private get collection() {
    return this.connection.collection<TokenRecord>(TOKENS_COLLECTION);
  }

  /** A new link; every older link of this kind for this user stops working. Returns the token to mail. */
  async issue(input: {
    kind: TokenKind;
    userId: string;
    email: string;
    subject?: string;
    credentialsVersion: number;
    ttlMs: number;
  }): Promise<string> {
    const token = newToken();
    const now = this.now();
    const _id = new Types.ObjectId();
    await this.collection.insertOne({
      _id,
      kind: input.kind,
      tokenHash: hashToken(token),
      userId: input.userId,
      email: input.email,
      ...(input.subject === undefined ? {} : { subject: input.subject }),
      credentialsVersion: input.credentialsVersion,
      createdAt: new Date(now),
      expiresAt: new Date(now + input.ttlMs),
    });
    // Deleting the older ones (by id, which grows) after the insert: two requests at once still leave only
    // the newer link, whichever finishes first.
    if (!INDEPENDENT_KINDS.has(input.kind)) {
      await this.collection.deleteMany({ kind: input.kind, userId: input.userId, _id: { $lt: _id } });
    }
    return token;
  }

  /** For the page a link opens: is it usable? Changes nothing. */
  async check(kind: TokenKind, token: string): Promise<TokenCheck> {
    if (!TOKEN_PATTERN.test(token)) return { ok: false, problem: 'unknown' };
    const record = await this.collection.findOne({ kind, tokenHash: hashToken(token) });
    return this.judge(await this.currentOnly(record));
  }

  /**
   * Spends the link: of any number of concurrent requests with it, exactly one gets the record. An expired
   * link is removed too, so it answers "unknown" from then on.
   */
  async consume(kind: TokenKind, token: string): Promise<TokenCheck> {
    if (!TOKEN_PATTERN.test(token)) return { ok: false, problem: 'unknown' };
    const record = await this.collection.findOneAndDelete({ kind, tokenHash: hashToken(token) });
    return this.judge(await this.currentOnly(record));
  }

  /**
   * The link only while the user's credentials are those it was issued under: every kind of link, checked
   * here once (issue 19: "this wasn't me" links outlived a password change). A void link reads as expired.
   */
  private async currentOnly(record: TokenRecord | null): Promise<TokenRecord | null | 'void'> {
    if (!record) return null;
    if (!Types.ObjectId.isValid(record.userId)) return 'void';
    const user = await this.connection
      .collection<{ _id: Types.ObjectId; credentialsVersion?: number }>('users')
      .findOne({ _id: new Types.ObjectId(record.userId) }, { projection: { credentialsVersion: 1 } });
    if (!user || credentialsVersionOf(user) !== record.credentialsVersion) return 'void';
    return record;
  }

  /** After a password reset or an address change, the user's other links of that kind go too. */
  async revokeAll(kind: TokenKind, userId: string): Promise<void> {
    await this.collection.deleteMany({ kind, userId });
  }

  /** The address a user is waiting to confirm, if a verification link is still live. */
  async pendingVerification(userId: string): Promise<string | undefined> {
    const record = await this.collection.findOne(
      { kind: 'verify', userId, expiresAt: { $gt: new Date(this.now()) } },
      { sort: { _id: -1 }, projection: { email: 1 } },
    );
    return record?.email;
  }

  private judge(record: TokenRecord | null | 'void'): TokenCheck {
    if (!record) return { ok: false, problem: 'unknown' };
    if (record === 'void') return { ok: false, problem: 'expired' };
    if (record.expiresAt.getTime() <= this.now()) return { ok: false, problem: 'expired' };
    return { ok: true, record };
  }
}

/** Created up front (see prepare-database.ts). Expired links are removed by MongoDB a while after expiry. */
export async function prepareAccountTokens(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('prepareAccountTokens needs an open connection');
  const exists = await db.listCollections({ name: TOKENS_COLLECTION }, { nameOnly: true }).hasNext();
  if (!exists) {
    await db.createCollection(TOKENS_COLLECTION).catch((err: { code?: number }) => {
      if (err.code !== NAMESPACE_EXISTS) throw err;
    });
  }
  const tokens = db.collection(TOKENS_COLLECTION);
  await tokens.createIndex({ tokenHash: 1 }, { unique: true });
  await tokens.createIndex({ userId: 1, kind: 1 });
  // A day past expiry: the page can still say "expired" (410) for a while rather than "unknown".
  await tokens.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 86_400 });
}
