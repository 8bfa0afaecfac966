import { Router } from 'express';
import { requireAuth } from '../auth/require-auth';
import { loadPost } from './load-post';
import { type PostsDeps, postsHandlers } from './posts.handlers';

export function postsRoutes(deps: PostsDeps): Router {
  const h = postsHandlers(deps);
  const router = Router();
  router.param('id', loadPost(deps.posts));

  router.get('/', h.list);
  router.get('/new', [requireAuth], h.newForm);
  router.post('/', [requireAuth], h.create);
  router.get('/:id', h.show);
  return router;
}
