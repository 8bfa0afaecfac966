import { Router } from 'express';
import { publicRoute } from '../http/route-access';
import { type ReadingListDeps, readingListHandlers } from './reading-list.handlers';

/** Open to anyone: an anonymous visitor's first save is what gives them a session (and a cookie). */
export function readingListRoutes(deps: ReadingListDeps): Router {
  const h = readingListHandlers(deps);
  const router = Router();
  router.get('/', [publicRoute], h.show);
  router.post('/:postId', [publicRoute], h.save);
  router.post('/:postId/remove', [publicRoute], h.remove);
  return router;
}
