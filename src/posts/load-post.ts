import type { NextFunction, Request, Response } from 'express';
import { isValidObjectId } from 'mongoose';
import { NotFoundError } from '../http/errors';
import type { PostModel } from './post.model';

/** `router.param('id', …)`: loads the post once per request; a malformed or unknown id is a 404. */
export function loadPost(posts: PostModel) {
  return async (_req: Request, res: Response, next: NextFunction, id: unknown): Promise<void> => {
    if (typeof id !== 'string' || !isValidObjectId(id) || !/^[a-f0-9]{24}$/i.test(id))
      throw new NotFoundError('No such post');
    const post = await posts.findById(id).lean();
    if (!post) throw new NotFoundError('No such post');
    res.locals.post = post;
    next();
  };
}
