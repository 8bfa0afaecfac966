import type { Response } from 'express';
import { actorOf } from '../roles/actor';
import { can } from '../roles/permissions';
import type { PostStatus } from './post.model';

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
