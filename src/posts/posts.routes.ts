import { Router } from 'express';
import { requireAuth } from '../auth/require-auth';
import { loadPost } from './load-post';
import { type PostEditingDeps, postEditingHandlers } from './post-editing.handlers';
import { type PostsDeps, postsHandlers } from './posts.handlers';
import { requireAuthor } from './require-author';

export function postsRoutes(deps: PostsDeps & PostEditingDeps): Router {
  const h = postsHandlers(deps);
  const e = postEditingHandlers(deps);
  const router = Router();
  // Loads the post once for every route with :id; unknown or malformed ids are a 404.
  router.param('id', loadPost(deps.posts));

  const author = [requireAuth, requireAuthor];
  router.get('/', h.list);
  router.get('/new', [requireAuth], h.newForm);
  router.post('/', [requireAuth], h.create);
  router.get('/:id', h.show);
  router.get('/:id/edit', author, e.editForm);
  router.post('/:id', author, e.update);
  router.get('/:id/delete', author, e.confirmDelete);
  router.post('/:id/delete', author, e.destroy);
  return router;
}
