import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { forgetEverywhere, type PersonalDataRegistry, type UserRef } from '../db/personal-data';
import { publicLink } from '../http/links';
import type { PageCache } from '../http/page-cache';
import type { Mailer } from '../mail/mailer';
import type { EventContext, SecurityLog } from '../security-log/security-log';
import type { SessionStore } from '../session/session-store';
import { zoneOfUser } from '../time/remember-time-zone';
import { formatForMail } from '../time/time-zone';
import type { AccountTokens } from '../users/account-tokens';
import type { UserModel } from '../users/user.model';

/** A purge that has not finished after this long (its process died) is taken over by another process. */
const CLAIM_EXPIRES_MS = 10 * 60_000;

/**
 * What a feature does at once when an account closes, undone if it comes back: the posts are hidden (and
 * shown again), the page-view counters forgotten while the sessions still name the user.
 */
export interface ClosingStep {
  close(user: UserRef): Promise<void>;
  reopen?(userId: string): Promise<void>;
}

export interface DeletionDeps {
  readonly config: Config;
  readonly users: UserModel;
  readonly sessions: SessionStore;
  readonly securityLog: SecurityLog;
  readonly mailer: Mailer;
  readonly tokens: AccountTokens;
  readonly pageCache?: PageCache;
  readonly logger: Logger;
  readonly now: Clock;
  /** Every feature's personal data: the purge forgets the user in each (src/db/personal-data.ts). */
  readonly personalData: PersonalDataRegistry;
  readonly closing: readonly ClosingStep[];
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

  /** Closes the account: returns when it will be purged, or undefined if it was already closed. */
  async schedule(user: { id: string; username: string }, context: EventContext): Promise<Date | undefined> {
    const { users, sessions, securityLog, config, now } = this.deps;
    const at = now();
    const purgeAfter = new Date(at + config.deletionGraceDays * 86_400_000);
    // Closing is a change of credentials: the version bump makes a sign-in racing it lose (it re-reads the
    // version after storing its session), and voids every link and pending sign-in issued before.
    const closed = await users
      .findOneAndUpdate(
        { _id: user.id, deletedAt: { $exists: false } },
        { $set: { deletedAt: new Date(at), purgeAfter }, $inc: { credentialsVersion: 1 } },
        { projection: { email: 1, emailVerified: 1, credentialsVersion: 1, timeZone: 1 }, returnDocument: 'after' },
      )
      .lean();
    if (!closed) return undefined;
    for (const step of this.deps.closing) await step.close({ ...user, email: closed.email });
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
          purgeOn: formatForMail(purgeAfter, zoneOfUser(closed)),
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
    for (const step of this.deps.closing) await step.reopen?.(userId);
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
      await this.purge({ id: String(claimed._id), username: claimed.username, email: claimed.email });
      logger.info({ event: 'account_purged', userId: String(claimed._id) }, 'closed account purged');
      purged++;
    }
    return purged;
  }

  /** Forgets the account in every feature that stores something about it, the user last; safe to run again. */
  private async purge(user: UserRef): Promise<void> {
    await forgetEverywhere(this.deps.personalData, user);
    this.deps.pageCache?.clear();
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
