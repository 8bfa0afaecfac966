import type { RequestHandler } from 'express';
import { ForbiddenError } from '../http/errors';
import { loadedPost } from './loaded-post';

/** After isAuthenticated and loadPost: only the post's author may go on. */
export const requireAuthor: RequestHandler = (req, res, next) => {
  if (String(loadedPost(res).authorId) !== req.session.user?.id) {
    throw new ForbiddenError('Only the author can change this post');
  }
  next();
};
