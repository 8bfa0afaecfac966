import { Types } from 'mongoose';
import type { AdminLog } from '../admin-log/admin-log';
import { ForbiddenError, NotFoundError } from '../http/errors';
import type { PageCache } from '../http/page-cache';
import type { CommentModel } from '../posts/comments/comment.model';
import type { PostModel } from '../posts/post.model';
import type { Actor } from '../roles/actor';
import { canActOn, canGrant, type UserAction } from '../roles/permissions';
import type { SecurityLog } from '../security-log/security-log';
import type { SessionStore } from '../session/session-store';
import { type Role, roleOf } from '../users/roles';
import type { UserModel } from '../users/user.model';

/** The status a suspended account's posts take (never public: post-queries.ts); the old one is kept beside it. */
const SUSPENDED = 'suspended';

/** What the target's own security log records as the "where": the action came from the staff, not a device. */
const STAFF_CONTEXT = { ip: 'staff', userAgent: '' } as const;

export interface StaffActionsDeps {
  readonly users: UserModel;
  readonly posts: PostModel;
  readonly comments: CommentModel;
  readonly sessions: SessionStore;
  readonly securityLog: SecurityLog;
  readonly adminLog: AdminLog;
  readonly pageCache?: PageCache;
  readonly now: () => number;
}

export interface Target {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly suspendedAt?: Date | null;
}

/**
 * What administrators do to accounts. Each action checks the authorization table (src/roles/permissions.ts)
 * against the target as MongoDB has it now, writes conditionally, and is recorded in the admin log and the
 * target's own security log.
 */
export class StaffActions {
  constructor(private readonly deps: StaffActionsDeps) {}

  async find(username: string): Promise<Target> {
    const user = await this.deps.users
      // `username` is a checked string (admin.routes.ts: userName), never an operator object.
      .findOne({ username: String(username), deletedAt: { $exists: false } }, { username: 1, role: 1, suspendedAt: 1 })
      .lean();
    if (!user) throw new NotFoundError('No such user');
    return { id: String(user._id), username: user.username, role: roleOf(user), suspendedAt: user.suspendedAt };
  }

  private async authorized(actor: Actor, action: UserAction, username: string): Promise<Target> {
    const target = await this.find(username);
    if (!canActOn(actor, action, target)) {
      throw new ForbiddenError(
        target.role === 'owner' ? 'Nobody can change the owner’s account' : 'Your role does not allow this',
      );
    }
    return target;
  }

  private async log(
    actor: Actor,
    action: Parameters<AdminLog['record']>[0]['action'],
    target: Target,
    details?: Record<string, string>,
  ) {
    await this.deps.adminLog.record({
      actorId: actor.id,
      actor: actor.username,
      action,
      targetId: target.id,
      target: target.username,
      ...(details ? { details } : {}),
    });
  }

  async setRole(actor: Actor, username: string, role: Role): Promise<Target> {
    const target = await this.authorized(actor, 'user.set-role', username);
    if (!canGrant(actor, target, role)) throw new ForbiddenError('You cannot give that role');
    if (role === target.role) return target;
    // Conditional on the role read above: a concurrent change (say, to admin by the owner) is not overwritten.
    const roleNow = target.role === 'author' ? { $in: ['author' as const, null] } : target.role;
    const { modifiedCount } = await this.deps.users.updateOne(
      { _id: target.id, role: roleNow, deletedAt: { $exists: false } },
      { $set: { role } },
    );
    if (modifiedCount === 0) throw new NotFoundError('This account changed meanwhile: look at it again');
    await this.log(actor, 'role_changed', target, { from: target.role, to: role });
    await this.deps.securityLog.record(target.id, 'admin_role_changed', STAFF_CONTEXT, { from: target.role, to: role });
    return { ...target, role };
  }

  /**
   * Suspends: `suspendedAt` first (sign-ins in flight re-read it after storing their session and end
   * themselves: auth/credentials.ts), then every session ends for good (tombstones, every process), then the
   * account's posts and comments are hidden.
   */
  async suspend(actor: Actor, username: string): Promise<{ target: Target; sessionsEnded: number }> {
    const target = await this.authorized(actor, 'user.suspend', username);
    await this.deps.users.updateOne(
      { _id: target.id, suspendedAt: { $exists: false } },
      { $set: { suspendedAt: new Date(this.deps.now()) } },
    );
    const sessionsEnded = await this.deps.sessions.endAllForUser(target.id, 'revoked');
    await this.setContentVisible(target.id, false);
    await this.log(actor, 'suspended', target);
    await this.deps.securityLog.record(target.id, 'admin_suspended', STAFF_CONTEXT, { sessionsEnded });
    this.deps.pageCache?.clear();
    return { target, sessionsEnded };
  }

  async unsuspend(actor: Actor, username: string): Promise<Target> {
    const target = await this.authorized(actor, 'user.suspend', username);
    await this.deps.users.updateOne({ _id: target.id }, { $unset: { suspendedAt: '' } });
    await this.setContentVisible(target.id, true);
    await this.log(actor, 'unsuspended', target);
    await this.deps.securityLog.record(target.id, 'admin_unsuspended', STAFF_CONTEXT);
    this.deps.pageCache?.clear();
    return { ...target, suspendedAt: undefined };
  }

  async signOut(actor: Actor, username: string): Promise<{ target: Target; sessionsEnded: number }> {
    const target = await this.authorized(actor, 'user.sign-out', username);
    const sessionsEnded = await this.deps.sessions.endAllForUser(target.id, 'revoked');
    await this.log(actor, 'signed_out', target, { sessionsEnded: String(sessionsEnded) });
    await this.deps.securityLog.record(target.id, 'admin_signed_out', STAFF_CONTEXT, { sessionsEnded });
    return { target, sessionsEnded };
  }

  /** Posts by a status swap (raw driver: the model's enum knows no "suspended"), comments by a flag. */
  private async setContentVisible(userId: string, visible: boolean): Promise<void> {
    const authorId = new Types.ObjectId(userId);
    const posts = this.deps.posts.collection;
    if (visible) {
      await posts.updateMany({ authorId, status: SUSPENDED }, [
        { $set: { status: '$statusBeforeSuspension' } },
        { $unset: 'statusBeforeSuspension' },
      ]);
      await this.deps.comments.collection.updateMany({ authorId }, { $unset: { authorSuspended: '' } });
    } else {
      await posts.updateMany({ authorId, status: { $in: ['draft', 'published'] } }, [
        { $set: { statusBeforeSuspension: '$status', status: SUSPENDED } },
      ]);
      await this.deps.comments.collection.updateMany({ authorId }, { $set: { authorSuspended: true } });
    }
  }
}
