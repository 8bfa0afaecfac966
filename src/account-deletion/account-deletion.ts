import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { PAGE_VIEWS_COLLECTION } from '../account/page-views';
import type { Config } from '../config';
import { FactorStore } from '../factors/factors.store';
import { publicLink } from '../http/links';
import type { PageCache } from '../http/page-cache';
import type { Mailer } from '../mail/mailer';
import { OUTBOX_COLLECTION } from '../mail/outbox';
import { postModel } from '../posts/post.model';
import { purgeAuthorContent } from '../posts/purge-author';
import { READING_LISTS_COLLECTION } from '../reading-list/reading-list.store';
import { THROTTLE_COLLECTION } from '../security/login-throttle';
import type { EventContext, SecurityLog } from '../security-log/security-log';
import { SESSIONS_COLLECTION, type SessionStore } from '../session/session-store';
import { type AccountTokens, TOKENS_COLLECTION } from '../users/account-tokens';
import type { UserModel } from '../users/user.model';

/** The status a closed account's posts take while it can still come back; the old one is kept beside it. */
const CLOSED = 'closed';
/** A purge that has not finished after this long (its process died) is taken over by another process. */
const CLAIM_EXPIRES_MS = 10 * 60_000;

export interface DeletionDeps {
  readonly config: Config;
  readonly connection: Connection;
  readonly users: UserModel;
  readonly sessions: SessionStore;
  readonly securityLog: SecurityLog;
  readonly mailer: Mailer;
  readonly tokens: AccountTokens;
  readonly pageCache?: PageCache;
  readonly logger: Logger;
  readonly now: () => number;
}

/**
 * Leaving, with a way back. Closing an account disables it at once — every session ended, sign-in refused,
 * its author page and posts gone from every list and feed — and it is purged for good after
 * DELETION_GRACE_DAYS, unless the owner cancels (mailed link, or at sign-in).
 *
 * The purge runs in whichever process gets there first: a process *claims* an account (a conditional
 * update), so two never do the same work; a cancellation needs the claim absent, so a purge and an undo
 * never both happen. The purge deletes dependents first and the user last, each step idempotent: a process
 * that dies half way leaves an account that is still claimed-then-expired, and the next process finishes it.
 */
export class AccountDeletion {
  constructor(private readonly deps: DeletionDeps) {}

  private get db() {
    const db = this.deps.connection.db;
    if (!db) throw new Error('not connected');
    return db;
  }

  /** Closes the account: returns when it will be purged, or undefined if it was already closed. */
  async schedule(user: { id: string; username: string }, context: EventContext): Promise<Date | undefined> {
    const { users, sessions, securityLog, config, now } = this.deps;
    const at = now();
    const purgeAfter = new Date(at + config.deletionGraceDays * 86_400_000);
    const closed = await users
      .findOneAndUpdate(
        { _id: user.id, deletedAt: { $exists: false } },
        { $set: { deletedAt: new Date(at), purgeAfter } },
        { projection: { email: 1, emailVerified: 1, credentialsVersion: 1 } },
      )
      .lean();
    if (!closed) return undefined;
    await this.setPostsVisible(user.id, false);
    // Page-view counters are keyed by session id: forget them while the sessions still name the user.
    const live = await sessions.listByUser(user.id);
    await this.db.collection<{ _id: string }>(PAGE_VIEWS_COLLECTION).deleteMany({
      _id: { $in: live.map((s) => s.sessionId) },
    });
    await sessions.endAllForUser(user.id, 'account_closed');
    await securityLog.record(user.id, 'deletion_scheduled', context, { purgeOn: purgeAfter.toISOString() });
    this.deps.pageCache?.clear();
    if (closed.email && closed.emailVerified) {
      const token = await this.deps.tokens.issue({
        kind: 'undo-delete',
        userId: user.id,
        email: closed.email,
        credentialsVersion: closed.credentialsVersion ?? 0,
        ttlMs: purgeAfter.getTime() - at,
      });
      this.deps.mailer.send({
        to: closed.email,
        template: 'deletion-scheduled',
        data: {
          username: user.username,
          purgeOn: purgeAfter.toUTCString(),
          link: publicLink(config.publicUrl, `/account/restore/${token}`),
        },
      });
    }
    return purgeAfter;
  }

  /** Brings a closed account back, unless its purge has begun. True when it did. */
  async cancel(userId: string, context: EventContext): Promise<boolean> {
    const { modifiedCount } = await this.deps.users.updateOne(
      { _id: userId, deletedAt: { $exists: true }, purgeClaimedAt: { $exists: false } },
      { $unset: { deletedAt: 1, purgeAfter: 1 } },
    );
    if (modifiedCount === 0) return false;
    await this.setPostsVisible(userId, true);
    await this.deps.tokens.revokeAll('undo-delete', userId);
    await this.deps.securityLog.record(userId, 'deletion_cancelled', context);
    this.deps.pageCache?.clear();
    return true;
  }

  /** Purges every account whose grace period has run out; returns how many this process purged. */
  async purgeDue(): Promise<number> {
    const { users, now, logger } = this.deps;
    let purged = 0;
    // Bounded: at most 100 accounts per run; the next run takes the rest.
    for (let i = 0; i < 100; i++) {
      const t = now();
      const claimed = await users
        .findOneAndUpdate(
          {
            purgeAfter: { $lte: new Date(t) },
            $or: [{ purgeClaimedAt: { $exists: false } }, { purgeClaimedAt: { $lt: new Date(t - CLAIM_EXPIRES_MS) } }],
          },
          { $set: { purgeClaimedAt: new Date(t) } },
          { projection: { username: 1, email: 1 } },
        )
        .lean();
      if (!claimed) break;
      await this.purge(String(claimed._id), claimed.username, claimed.email ?? undefined);
      logger.info({ event: 'account_purged', userId: String(claimed._id) }, 'closed account purged');
      purged++;
    }
    return purged;
  }

  /** Deletes everything of one account, dependents first, the user last; safe to run again. */
  private async purge(userId: string, username: string, email: string | undefined): Promise<void> {
    const db = this.db;
    // Posts with their comments, and the user's comments elsewhere (counts corrected): the posts feature's own.
    await purgeAuthorContent(this.deps.connection, userId);
    await db.collection(SESSIONS_COLLECTION).deleteMany({
      $or: [
        { 'session.user.id': userId },
        { 'session.pendingRestore.userId': userId },
        { 'session.pendingSecondStep.userId': userId },
      ],
    });
    await db.collection(READING_LISTS_COLLECTION).deleteMany({ userId });
    await new FactorStore(this.deps.connection).removeAllOf(userId);
    await db.collection(TOKENS_COLLECTION).deleteMany({ userId });
    await this.deps.securityLog.forgetUser(userId);
    const escaped = username.replace(/[^a-z0-9_-]/g, '');
    // Counters keyed by the name (sign-in), the id (write limits) or the address (mail): short-lived, but theirs.
    const keyed = [{ key: { $regex: `^login_account[a-z_]*:${escaped}(\\||$)` } }, { key: { $regex: userId } }];
    if (email) keyed.push({ key: { $regex: email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') } });
    await db.collection(THROTTLE_COLLECTION).deleteMany({ $or: keyed });
    if (email) await db.collection(OUTBOX_COLLECTION).deleteMany({ to: email });
    await this.deps.users.deleteOne({ _id: userId });
    this.deps.pageCache?.clear();
  }

  /**
   * Hides or shows again every post of the user. The status is swapped for "closed" (never public, see
   * post-queries.ts) and the old one kept beside it; by the raw driver, since the model's enum knows no
   * "closed".
   */
  private async setPostsVisible(userId: string, visible: boolean): Promise<void> {
    const posts = postModel(this.deps.connection).collection;
    const authorId = new Types.ObjectId(userId);
    if (visible) {
      await posts.updateMany({ authorId, status: CLOSED }, [
        { $set: { status: '$statusBeforeClosing' } },
        { $unset: 'statusBeforeClosing' },
      ]);
    } else {
      await posts.updateMany({ authorId, status: { $ne: CLOSED } }, [
        { $set: { statusBeforeClosing: '$status', status: CLOSED } },
      ]);
    }
  }
}

/** Starts the purge in this process: at start and then every `everyMs`. Unref'd: never keeps it alive. */
export function schedulePurges(deletion: AccountDeletion, logger: Logger, everyMs = 10 * 60_000): () => void {
  const run = () =>
    void deletion.purgeDue().catch((err: unknown) => logger.error({ err }, 'account purge failed; will retry'));
  const timer = setInterval(run, everyMs);
  timer.unref();
  setImmediate(run);
  return () => clearInterval(timer);
}
