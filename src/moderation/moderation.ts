import { isValidObjectId, Types } from 'mongoose';
import type { AdminLog } from '../admin-log/admin-log';
import { NotFoundError } from '../http/errors';
import type { PageCache } from '../http/page-cache';
import type { CommentModel } from '../posts/comments/comment.model';
import type { PostModel } from '../posts/post.model';
import type { Actor } from '../roles/actor';
import type { Reports } from './reports';

export interface ModerationDeps {
  readonly posts: PostModel;
  readonly comments: CommentModel;
  readonly reports: Reports;
  readonly adminLog: AdminLog;
  readonly pageCache?: PageCache;
}

function commentObjectId(id: unknown): Types.ObjectId {
  if (typeof id !== 'string' || !/^[a-f0-9]{24}$/i.test(id) || !isValidObjectId(id)) {
    throw new NotFoundError('No such comment');
  }
  return new Types.ObjectId(id);
}

/**
 * Hiding, restoring and approving comments. Each is one conditional update on the comment's state, so two
 * editors pressing at once change it once; the post's comment count follows only the update that happened.
 */
export class Moderation {
  constructor(private readonly deps: ModerationDeps) {}

  private async logFor(
    actor: Actor,
    action: 'comment_hidden' | 'comment_restored' | 'comment_approved',
    c: { authorId: unknown; authorName: string; _id: unknown },
  ) {
    await this.deps.adminLog.record({
      actorId: actor.id,
      actor: actor.username,
      action,
      targetId: String(c.authorId),
      target: c.authorName,
      details: { commentId: String(c._id) },
    });
  }

  async hide(actor: Actor, id: unknown) {
    const _id = commentObjectId(id);
    const before = await this.deps.comments
      .findOneAndUpdate({ _id, moderation: { $ne: 'hidden' } }, { $set: { moderation: 'hidden' } })
      .lean();
    if (!before) {
      if (!(await this.deps.comments.exists({ _id }))) throw new NotFoundError('No such comment');
      return { postId: await this.postOf(_id), changed: false };
    }
    // A shown comment was counted; a held one was not.
    if (!before.moderation) {
      await this.deps.posts.updateOne({ _id: before.postId, commentCount: { $gt: 0 } }, { $inc: { commentCount: -1 } });
    }
    await this.deps.reports.closeFor('comment', String(_id), actor.username);
    await this.logFor(actor, 'comment_hidden', before);
    this.deps.pageCache?.clear();
    return { postId: String(before.postId), changed: true };
  }

  async restore(actor: Actor, id: unknown) {
    return this.show(actor, id, 'hidden', 'comment_restored');
  }

  async approve(actor: Actor, id: unknown) {
    return this.show(actor, id, 'held', 'comment_approved');
  }

  private async show(
    actor: Actor,
    id: unknown,
    from: 'hidden' | 'held',
    action: 'comment_restored' | 'comment_approved',
  ) {
    const _id = commentObjectId(id);
    const before = await this.deps.comments
      .findOneAndUpdate({ _id, moderation: from }, { $unset: { moderation: '' } })
      .lean();
    if (!before) {
      if (!(await this.deps.comments.exists({ _id }))) throw new NotFoundError('No such comment');
      return { postId: await this.postOf(_id), changed: false };
    }
    await this.deps.posts.updateOne({ _id: before.postId }, { $inc: { commentCount: 1 } });
    await this.logFor(actor, action, before);
    this.deps.pageCache?.clear();
    return { postId: String(before.postId), changed: true };
  }

  private async postOf(_id: Types.ObjectId): Promise<string> {
    const c = await this.deps.comments.findById(_id, { postId: 1 }).lean();
    return String(c?.postId ?? '');
  }

  /** The comments waiting for a moderator: held first comments and hidden ones (to restore), newest first. */
  pending(limit = 100) {
    return this.deps.comments
      .find(
        { moderation: { $in: ['held', 'hidden'] }, authorSuspended: { $ne: true } },
        { body: 1, authorName: 1, postId: 1, createdAt: 1, moderation: 1 },
      )
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean();
  }
}
