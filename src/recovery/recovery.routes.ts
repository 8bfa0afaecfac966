import { Router } from 'express';
import { publicRoute } from '../http/route-access';
import { type RecoveryDeps, recoveryHandlers } from './recovery.handlers';

/**
 * Mounted at /auth, beside sign-in. A mailed link only opens a page (mail scanners fetch every GET); the
 * POST from that page acts. Its form is sessionless like login: the CSRF middleware checks it is same-origin.
 */
export function recoveryRoutes(deps: RecoveryDeps): Router {
  const h = recoveryHandlers(deps);
  const router = Router();
  router.get('/forgot', [publicRoute], h.showForgot);
  router.post('/forgot', [publicRoute], h.forgot);
  router.get('/forgot/sent', [publicRoute], h.forgotSent);
  router.get('/reset/done', [publicRoute], h.resetDone);
  router.get('/reset/:token', [publicRoute], h.showReset);
  router.post('/reset/:token', [publicRoute], h.reset);
  return router;
}
