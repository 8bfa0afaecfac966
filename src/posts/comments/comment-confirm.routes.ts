import { type RequestHandler, Router } from 'express';
import { isValidObjectId } from 'mongoose';
import { ForbiddenError, NotFoundError } from '../../http/errors';
import { isAuthenticated } from '../../security/is-authenticated';
import { loadPost } from '../load-post';
import { loadedPost } from '../loaded-post';
import type { PostModel } from '../post.model';
import type { CommentModel } from './comment.model';

/**
 * issue 25: deleting a comment is asked first, like a post — GET /posts/:id/comments/:commentId/delete is a
 * page with the comment and one button (the POST of the same path, in comments.handlers.ts, deletes). The
 * same people may see it as may delete: the comment's author and the post's author.
 */
export function commentConfirmRoutes(deps: { readonly posts: PostModel; readonly comments: CommentModel }): Router {
  const router = Router();
  router.param('id', loadPost(deps.posts));

  const confirmDelete: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    const id = String(req.params.commentId);
    if (!/^[a-f0-9]{24}$/i.test(id) || !isValidObjectId(id)) throw new NotFoundError('No such comment');
    const comment = await deps.comments
      .findOne({ _id: id, postId: post._id }, { authorId: 1, authorName: 1, bodyHtml: 1 })
      .lean();
    if (!comment) throw new NotFoundError('No such comment');
    const userId = req.session.user?.id;
    if (userId !== String(comment.authorId) && userId !== String(post.authorId)) {
      throw new ForbiddenError('Only the comment’s author or the post’s author can delete it');
    }
    res.render('comments/delete', { title: 'Delete this comment?', post, comment });
  };

  router.get('/:id/comments/:commentId/delete', [isAuthenticated], confirmDelete);
  return router;
}
