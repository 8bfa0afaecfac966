import { Router } from 'express';
import { isAuthenticated } from './is-authenticated';

/**
 * A router whose every route is for signed-in visitors: each route declared on it gets `isAuthenticated`
 * before anything else, so sign-in is required by the router, not remembered route by route. Unlike
 * `router.use(isAuthenticated)`, a request for a path this router does not have passes on untouched: several
 * routers share `/account`, and the next one may hold a public page (`/account/restore/:token`).
 */
export function signedInRouter(): Router {
  const router = Router();
  const route = router.route.bind(router);
  router.route = (path: Parameters<Router['route']>[0]) => route(path).all(isAuthenticated);
  return router;
}
