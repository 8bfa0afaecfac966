import type { Request } from 'express';
import session from 'express-session';
import type { Connection, mongo } from 'mongoose';
import type { SessionAuth, SessionDevice, SessionUser } from './session-data';

export const SESSIONS_COLLECTION = 'sessions';

/** Why a session ended; shown to the browser that still holds its cookie ("signed out on another device"). */
export type EndReason = 'signed_out' | 'revoked' | 'password_changed' | 'expired' | 'rotated' | 'account_closed';

/** The stored form: the session as an object (queryable by user), its expiry, and a tombstone once ended. */
interface SessionDocument {
  _id: string;
  expires: Date;
  lastModified: Date;
  session: session.SessionData & { user?: SessionUser; auth?: SessionAuth; device?: SessionDevice };
  /** Set when the session was ended: `get` refuses it from then on, and no save can undo it. */
  endedAt?: Date;
  endedReason?: EndReason;
  /** Who was signed in on it: a form kept as it ended belongs to them only (http/kept-form.ts). */
  endedUserId?: string;
}

export interface StoredUserSession {
  readonly sessionId: string;
  readonly publicId: string;
  readonly signedInAt: Date;
  readonly lastSeenAt: Date;
  readonly userAgent: string;
  readonly ip: string;
  readonly remember: boolean;
}

type Callback<T = void> = (err?: unknown, value?: T) => void;

/**
 * Folio's own session store: express-session's Store over the MongoDB driver, with the queries the account
 * pages need. The point of owning it is one guarantee — **an ended session stays ended**:
 * - a session that a request *loaded* is saved with a conditional update (`endedAt` absent), never an
 *   upsert, so a request in flight when the session was ended cannot write it back (connect-mongo's `set`
 *   is an upsert, which is how a revoked session used to come back);
 * - only a session *created in this request* (express-session's generate/regenerate) may be inserted;
 * - ending marks the document (a tombstone) instead of deleting it, so `get` refuses it on every process
 *   and can say why; MongoDB's TTL index removes it when it would have expired anyway.
 * Loaded sessions are told apart from new ones by object identity: express-session builds every loaded
 * session through `createSession` and every new one through `generate`.
 */
export type SessionStore = FolioSessionStore;

export class FolioSessionStore extends session.Store {
  /** Added by express-session when the store is handed to it: makes a new, empty session on `req`. */
  declare generate: (req: Request) => void;
  private readonly loaded = new WeakSet<object>();
  /** When each loaded session was last written: `touch` skips the write inside the touch interval. */
  private readonly lastModified = new WeakMap<object, number>();
  /** Tombstones met by `get` (why, and whose), for `endedReason()` later in the same request. Bounded. */
  private readonly recentlyEnded = new Map<string, { reason: EndReason; userId?: string }>();

  constructor(
    private readonly connection: Connection,
    private readonly options: {
      /** Seconds a session without a persistent cookie lives after its last write (the idle limit). */
      readonly ttlSeconds: number;
      /** Seconds within which an unchanged session is not written again just to extend its expiry. */
      readonly touchAfterSeconds: number;
      readonly now?: () => number;
    },
  ) {
    super();
  }

  private get collection(): mongo.Collection<SessionDocument> {
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    return db.collection<SessionDocument>(SESSIONS_COLLECTION);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private expiryOf(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    if (expires) return new Date(expires);
    return new Date(this.now() + this.options.ttlSeconds * 1000);
  }

  // --- express-session's Store interface -----------------------------------------------------------

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.collection.findOne({ _id: sid, expires: { $gt: new Date(this.now()) } }).then((doc) => {
      if (!doc) return callback(undefined, null);
      if (doc.endedAt) {
        if (this.recentlyEnded.size >= 10_000) this.recentlyEnded.clear();
        this.recentlyEnded.set(sid, { reason: doc.endedReason ?? 'signed_out', userId: doc.endedUserId });
        return callback(undefined, null);
      }
      this.lastModified.set(doc.session, doc.lastModified?.getTime() ?? 0);
      callback(undefined, doc.session);
    }, callback);
  }

  override createSession(req: Request, data: session.SessionData): session.Session & session.SessionData {
    const modified = this.lastModified.get(data);
    const created = super.createSession(req, data);
    this.loaded.add(created);
    if (modified !== undefined) this.lastModified.set(created, modified);
    return created;
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    const now = this.now();
    const document = {
      expires: this.expiryOf(sess),
      lastModified: new Date(now),
      // A plain copy: the Session object carries its request and methods.
      session: JSON.parse(JSON.stringify(sess)) as SessionDocument['session'],
    };
    const wasLoaded = this.loaded.has(sess);
    const write = wasLoaded
      ? // Never re-creates a document that is gone, and never revives a tombstone.
        this.collection.updateOne({ _id: sid, endedAt: { $exists: false } }, { $set: document })
      : this.collection.insertOne({ _id: sid, ...document }).catch((err: { code?: number }) => {
          // The id exists already: this request saved it before (a save before a redirect, then at the end).
          if (err.code !== 11000) throw err;
          return this.collection.updateOne({ _id: sid, endedAt: { $exists: false } }, { $set: document });
        });
    write.then(
      () => {
        // From now on this session exists: further saves in this request are conditional updates.
        this.loaded.add(sess);
        this.lastModified.set(sess, now);
        callback?.();
      },
      callback ?? (() => {}),
    );
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    const now = this.now();
    const last = this.lastModified.get(sess) ?? 0;
    if (now - last < this.options.touchAfterSeconds * 1000) {
      callback?.();
      return;
    }
    this.collection
      .updateOne(
        { _id: sid, endedAt: { $exists: false } },
        { $set: { expires: this.expiryOf(sess), lastModified: new Date(now) } },
      )
      .then(
        () => {
          this.lastModified.set(sess, now);
          callback?.();
        },
        callback ?? (() => {}),
      );
  }

  /** express-session calls this for `req.session.destroy()`: logout. */
  override destroy(sid: string, callback?: Callback): void {
    this.endWhere({ _id: sid }, 'signed_out').then(() => callback?.(), callback ?? (() => {}));
  }

  /** A new id at sign-in, password change or timeout: the old one ends (no message for it), a new one starts. */
  override regenerate(req: Request, callback: (err?: unknown) => void): void {
    this.endWhere({ _id: req.sessionID }, 'rotated').then(() => {
      this.generate(req);
      callback();
    }, callback);
  }

  // --- What the account pages need ----------------------------------------------------------------

  /** Why the session this request's cookie named has ended, if this process's `get` met its tombstone. */
  endedReason(sid: string): EndReason | undefined {
    return this.recentlyEnded.get(sid)?.reason;
  }

  /** Who was signed in on that ended session, if anyone. */
  endedUserId(sid: string): string | undefined {
    return this.recentlyEnded.get(sid)?.userId;
  }

  /** True when no tombstone was met lately: lets the per-request check skip parsing the cookie. */
  get hasEndedSessions(): boolean {
    return this.recentlyEnded.size > 0;
  }

  /** Active sessions of a user, most recently active first (index on `session.user.id`). */
  async listByUser(userId: string): Promise<StoredUserSession[]> {
    const docs = await this.collection
      .find({ 'session.user.id': userId, endedAt: { $exists: false }, expires: { $gt: new Date(this.now()) } })
      .project<Pick<SessionDocument, '_id' | 'session'>>({ 'session.auth': 1, 'session.device': 1 })
      .toArray();
    return docs
      .flatMap(({ _id, session: s }) =>
        s.auth && s.device
          ? [
              {
                sessionId: _id,
                publicId: s.device.publicId,
                signedInAt: new Date(s.auth.signedInAt),
                lastSeenAt: new Date(s.auth.lastSeenAt),
                userAgent: s.device.userAgent,
                ip: s.device.ip,
                remember: s.auth.remember,
              },
            ]
          : [],
      )
      .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  }

  /** Ends one of the user's sessions by its public handle; false when the user has no such live session. */
  async endOne(userId: string, publicId: string, reason: EndReason = 'revoked'): Promise<boolean> {
    return (await this.endWhere({ 'session.user.id': userId, 'session.device.publicId': publicId }, reason)) === 1;
  }

  /**
   * Ends every session of the user except `exceptSessionId` — signed in, or waiting for a second step or for
   * "keep my account" (those are bound to the credentials: a password change, reset, closure or suspension
   * ends them too). Returns how many ended.
   */
  endAllForUser(userId: string, reason: EndReason, exceptSessionId?: string): Promise<number> {
    const filter: mongo.Filter<SessionDocument> = {
      $or: [
        { 'session.user.id': userId },
        { 'session.pendingSecondStep.userId': userId },
        { 'session.pendingRestore.userId': userId },
      ],
    };
    if (exceptSessionId !== undefined) filter._id = { $ne: exceptSessionId };
    return this.endWhere(filter, reason);
  }

  /** Ends one session by id (sign-ins that lost a race with a password change). */
  async endById(sessionId: string, reason: EndReason): Promise<void> {
    await this.endWhere({ _id: sessionId }, reason);
  }

  /**
   * Marks matching live sessions as ended. What they held is dropped (the tombstone keeps only the user id,
   * for the indexes); `expires` is kept, so the TTL index removes the tombstone when the session would have
   * expired — after which no request of it can be in flight any more.
   */
  private async endWhere(filter: mongo.Filter<SessionDocument>, reason: EndReason): Promise<number> {
    // An update pipeline, so the tombstone can keep who was signed in (from the session it replaces).
    const { modifiedCount } = await this.collection.updateMany({ ...filter, endedAt: { $exists: false } }, [
      { $set: { endedAt: new Date(this.now()), endedReason: { $literal: reason }, endedUserId: '$session.user.id' } },
      { $unset: 'session' },
    ]);
    return modifiedCount;
  }
}

/** Indexes the store's queries use; run once before traffic (see prepareDatabase). */
export async function prepareSessionStore(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('not connected');
  const sessions = db.collection(SESSIONS_COLLECTION);
  // MongoDB's TTL monitor deletes expired sessions and tombstones (`get` also filters on expiry).
  await sessions.createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
  // The account page lists and ends a user's sessions by this field.
  await sessions.createIndex({ 'session.user.id': 1 }, { sparse: true });
  // …and the sign-ins still waiting for their second step or for "keep my account" (endAllForUser).
  await sessions.createIndex({ 'session.pendingSecondStep.userId': 1 }, { sparse: true });
  await sessions.createIndex({ 'session.pendingRestore.userId': 1 }, { sparse: true });
  // Tombstones keep whose session it was (for kept forms); a purge removes them by it.
  await sessions.createIndex({ endedUserId: 1 }, { sparse: true });
}
