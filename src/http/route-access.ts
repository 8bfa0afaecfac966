import type { RequestHandler } from 'express';

/**
 * Says, in a route's guard array, that the route is open to visitors without an account on purpose
 * (`[publicRoute]`). It does nothing at run time: the route inventory test (test/security/routes.test.ts)
 * refuses any state-changing route whose guards include neither this nor a sign-in guard, so a new route
 * cannot be left open by omission.
 */
export const publicRoute: RequestHandler = (_req, _res, next) => next();
