import type { RequestHandler } from 'express';
import { ForbiddenError } from '../http/errors';
import { actorOf } from '../roles/actor';
import { can } from '../roles/permissions';
import { loadedPost } from './loaded-post';

/** After isAuthenticated, loadActor and loadPost: the post's author, and editors and up, may go on. */
export const requireAuthor: RequestHandler = (req, res, next) => {
  const mayEditAny = can(actorOf(res).role, 'post.edit-any');
  if (!mayEditAny && String(loadedPost(res).authorId) !== req.session.user?.id) {
    throw new ForbiddenError('Only the author can change this post');
  }
  next();
};
