import type { Response } from 'express';
import type { Types } from 'mongoose';
import type { Post } from './post.model';

export type LoadedPost = Post & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

/** The post that `router.param('id')` loaded for this request. */
export function loadedPost(res: Response): LoadedPost {
  const post = res.locals.post as LoadedPost | undefined;
  if (!post) throw new Error('loadPost must run before this handler');
  return post;
}
