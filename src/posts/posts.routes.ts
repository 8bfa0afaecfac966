import { Router } from 'express';
import { publicRoute } from '../http/route-access';
import { isAuthenticated } from '../security/is-authenticated';
import type { RateLimit, WriteLimits } from '../security/rate-limit';
import { commentsHandlers, loadComment } from './comments/comments.handlers';
import { loadPost } from './load-post';
import { loadedPost } from './loaded-post';
import { type PostEditingDeps, postEditingHandlers } from './post-editing.handlers';
import { type PostsDeps, postsHandlers } from './posts.handlers';
import { requireAuthor } from './require-author';

export interface PostsRoutesDeps extends PostsDeps, PostEditingDeps {
  readonly rateLimit: RateLimit;
  readonly limits: WriteLimits;
}

export function postsRoutes(deps: PostsRoutesDeps): Router {
  const h = postsHandlers(deps);
  const e = postEditingHandlers(deps);
  const c = commentsHandlers(deps);
  const router = Router();
  // Loads the post once for every route with :id; unknown or malformed ids are a 404.
  router.param('id', loadPost(deps.posts));
  router.param('commentId', loadComment(deps.comments));

  const author = [isAuthenticated, requireAuthor];
  // A browser refused for posting too often gets its form back, with what was typed.
  const writing = deps.rateLimit(deps.limits.post, () => ({ view: 'posts/new', locals: { title: 'New post' } }));
  const editing = deps.rateLimit(deps.limits.post, (_req, res) => {
    const post = loadedPost(res);
    return { view: 'posts/edit', locals: { title: `Edit “${post.title}”`, post } };
  });
  router.get('/', [publicRoute], h.list);
  router.get('/new', [isAuthenticated], h.newForm);
  router.post('/', [isAuthenticated, writing], h.create);
  router.get('/:id', [publicRoute], h.show);
  router.get('/:id/edit', author, e.editForm);
  router.post('/:id', [...author, editing], e.update);
  router.get('/:id/delete', author, e.confirmDelete);
  router.post('/:id/delete', author, e.destroy);
  router.post('/:id/comments', [isAuthenticated, deps.rateLimit(deps.limits.comment)], c.create);
  router.post('/:id/comments/:commentId/delete', [isAuthenticated], c.destroy);
  return router;
}

/** `/drafts`: the signed-in author's drafts and scheduled posts. */
export function draftsRoutes(deps: PostsDeps): Router {
  const h = postsHandlers(deps);
  const router = Router();
  router.get('/', [isAuthenticated], h.drafts);
  return router;
}
