import type { Response } from 'express';
import type { PostStatus } from '../posts/post.model';
import { actorOf } from './actor';
import { can } from './permissions';

export const HELD_AS_DRAFT =
  'Saved as a draft: contributors’ posts are published by an editor. An editor will see it in your drafts.';

/**
 * The status a write may store: a contributor's "publish" is kept as a draft (and the caller says so);
 * anyone allowed to publish gets what they asked for.
 */
export function allowedStatus(res: Response, wanted: PostStatus): { status: PostStatus; heldAsDraft: boolean } {
  if (wanted === 'published' && !can(actorOf(res).role, 'post.publish')) return { status: 'draft', heldAsDraft: true };
  return { status: wanted, heldAsDraft: false };
}
