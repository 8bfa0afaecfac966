import type { Response } from 'express';
import { ForbiddenError } from '../../http/errors';
import { maybeActor } from '../../roles/actor';
import { can } from '../../roles/permissions';
import type { SiteSettings } from '../../site-settings/site-settings';
import type { CommentModel } from './comment.model';

export const COMMENTS_OFF = 'Comments are turned off on this blog.';
export const COMMENT_HELD =
  'Thank you: your first comment is waiting for an editor’s approval. Only you can see it until then.';

/** Whether a new comment is shown at once or held; throws 403 when comments are off. */
export type CommentPolicy = (res: Response, authorId: string) => Promise<'shown' | 'held'>;

/**
 * The site setting `comments`, read from MongoDB on each comment (a write): `open` shows every comment,
 * `off` refuses them, `first-held` holds an account's comments until one has been approved. Editors and up
 * are never held.
 */
export function commentPolicy(settings: SiteSettings, comments: CommentModel): CommentPolicy {
  return async (res, authorId) => {
    const mode = (await settings.fresh()).comments;
    if (mode === 'off') throw new ForbiddenError(COMMENTS_OFF);
    if (mode === 'open') return 'shown';
    const actor = maybeActor(res);
    if (actor && can(actor.role, 'comment.moderate')) return 'shown';
    const approvedBefore = await comments.exists({ authorId, moderation: { $exists: false } });
    return approvedBefore ? 'shown' : 'held';
  };
}
