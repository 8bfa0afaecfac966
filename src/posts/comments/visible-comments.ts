import type { QueryFilter, Types } from 'mongoose';
import type { Comment } from './comment.model';

/**
 * The comments of a post that a visitor sees: everyone's shown comments, and the visitor's own whatever their
 * state (held for approval, hidden by a moderator: the page marks them). Comments of a suspended author are
 * shown to nobody else. Staff see the rest in /admin.
 */
export function visibleComments(postId: Types.ObjectId, viewerId: string | undefined): QueryFilter<Comment> {
  const shown: QueryFilter<Comment> = { moderation: { $exists: false }, authorSuspended: { $ne: true } };
  if (!viewerId) return { postId, ...shown };
  return { postId, $or: [shown, { authorId: viewerId }] };
}
