import { MongoStore } from 'connect-mongo';
import type { Request } from 'express';
import type session from 'express-session';
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
 * The tutorial's store, connect-mongo's `MongoStore`, with one guarantee added — **an ended session stays
 * ended**, on every process, even for requests that were in flight when it ended. connect-mongo gives the
 * client, the collection, the TTL and touch settings, and what nothing here needs to change (`all`,
 * `length`, `clear`). Folio overrides only the methods that guarantee needs:
 * - `set`: connect-mongo's is an upsert by id, so a request that *loaded* a session before it was revoked
 *   wrote it back when it finished. Here a loaded session is saved only by a conditional update (`endedAt`
 *   absent), and only a session *created in this request* (express-session's generate/regenerate) may be
 *   inserted. `createSession` tells the two apart: express-session builds every loaded session through it.
 * - `destroy` and `regenerate`: connect-mongo deletes the document, after which any save in flight (an
 *   upsert, or an insert) could bring it back. Here ending marks the document — a tombstone, with why it
 *   ended ('rotated' for a new id at sign-in, which tells the visitor nothing) — and MongoDB's TTL index
 *   removes it when the session would have expired anyway, after which no request of it can be in flight.
 * - `get`: refuses a tombstone (connect-mongo would return it), and remembers why it ended, so the login
 *   page can say "You were signed out on another device".
 * - `touch`: connect-mongo's extends any document with that id, tombstones included, and keeps its "last
 *   written" time inside the session data; here a tombstone is never written, and that time is kept beside
 *   the session, so a page view inside the touch interval costs no write and adds nothing to the session.
 * The queries the account pages need (a user's devices, ending them) are below the store interface.
 */
export type SessionStore = FolioSessionStore;

export class FolioSessionStore extends MongoStore {
  /** Added by express-session when the store is handed to it: makes a new, empty session on `req`. */
  declare generate: (req: Request) => void;
  private readonly loaded = new WeakSet<object>();
  /** When each loaded session was last written: `touch` skips the write inside the touch interval. */
  private readonly lastModified = new WeakMap<object, number>();
  /** Tombstones met by `get` (why, and whose), for `endedReason()` later in the same request. Bounded. */
  private readonly recentlyEnded = new Map<string, { reason: EndReason; userId?: string }>();

  constructor(
    private readonly connection: Connection,
    private readonly settings: {
      /** Seconds a session without a persistent cookie lives after its last write (the idle limit). */
      readonly ttlSeconds: number;
      /** Seconds within which an unchanged session is not written again just to extend its expiry. */
      readonly touchAfterSeconds: number;
      readonly now?: () => number;
    },
  ) {
    super({
      // The app's own client (one driver: see package.json's overrides), so no cast and no second pool.
      client: connection.getClient(),
      dbName: connection.name,
      collectionName: SESSIONS_COLLECTION,
      ttl: settings.ttlSeconds,
      touchAfter: settings.touchAfterSeconds,
      // Stored as objects, so the account pages can query sessions by user.
      stringify: false,
      // The TTL index is made with every other index before traffic (prepareSessionStore), not here.
      autoRemove: 'disabled',
    });
  }

  private get collection(): mongo.Collection<SessionDocument> {
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    return db.collection<SessionDocument>(SESSIONS_COLLECTION);
  }

  private now(): number {
    return (this.settings.now ?? Date.now)();
  }

  private expiryOf(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    if (expires) return new Date(expires);
    return new Date(this.now() + this.settings.ttlSeconds * 1000);
  }

  // --- What an ended session staying ended needs (connect-mongo's methods, overridden) ---------------

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
    if (now - last < this.settings.touchAfterSeconds * 1000) {
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
