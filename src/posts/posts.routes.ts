import { Router } from 'express';
import { publicRoute } from '../http/route-access';
import type { RoleGuards } from '../roles/actor';
import { isAuthenticated } from '../security/is-authenticated';
import type { RateLimit, WriteLimits } from '../security/rate-limit';
import { type CommentsDeps, commentsHandlers, loadComment } from './comments/comments.handlers';
import { loadPost } from './load-post';
import { loadedPost } from './loaded-post';
import { type PostEditingDeps, postEditingHandlers } from './post-editing.handlers';
import { isPublic } from './post-queries';
import { type PostsDeps, postsHandlers } from './posts.handlers';
import { requireAuthor } from './require-author';

export interface PostsRoutesDeps extends PostsDeps, PostEditingDeps, CommentsDeps {
  readonly rateLimit: RateLimit;
  readonly limits: WriteLimits;
  /** Roles read from MongoDB on every write (src/roles): contributor and up post, editors change any post. */
  readonly roles: RoleGuards;
}

export function postsRoutes(deps: PostsRoutesDeps): Router {
  const h = postsHandlers(deps);
  const e = postEditingHandlers(deps);
  const c = commentsHandlers(deps);
  const router = Router();
  // Loads the post once for every route with :id; unknown or malformed ids are a 404.
  router.param('id', loadPost(deps.posts));
  router.param('commentId', loadComment(deps.comments));

  const author = [isAuthenticated, deps.roles.loadActor, requireAuthor];
  // A browser refused for posting too often gets its form back, with what was typed.
  const writing = deps.rateLimit(deps.limits.post, () => ({ view: 'posts/new', locals: { title: 'New post' } }));
  const editing = deps.rateLimit(deps.limits.post, (_req, res) => {
    const post = loadedPost(res);
    return { view: 'posts/edit', locals: { title: `Edit “${post.title}”`, post } };
  });
  router.get('/', [publicRoute], h.list);
  router.get('/new', deps.roles.requireCan('post.create'), h.newForm);
  router.post('/', [...deps.roles.requireCan('post.create'), writing], h.create);
  // Only a post that is not public asks who the visitor is (editors and up see drafts to publish them).
  const unpublished = deps.roles.loadActorWhen((res) => !isPublic(loadedPost(res), new Date(deps.now())));
  router.get('/:id', [publicRoute, unpublished], h.show);
  router.get('/:id/edit', author, e.editForm);
  router.post('/:id', [...author, editing], e.update);
  router.get('/:id/delete', author, e.confirmDelete);
  router.post('/:id/delete', author, e.destroy);
  router.post(
    '/:id/comments',
    [...deps.roles.requireCan('comment.create'), deps.rateLimit(deps.limits.comment)],
    c.create,
  );
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
