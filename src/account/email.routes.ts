import { Router } from 'express';
import { publicRoute } from '../http/route-access';
import { isAuthenticated } from '../security/is-authenticated';
import { type EmailDeps, emailHandlers } from './email.handlers';

/**
 * Mounted at /account/email. The verification link works for whoever holds it, signed in or not (it is
 * often opened on another device); its GET only shows a button, and the POST from that page acts.
 */
export function emailRoutes(deps: EmailDeps): Router {
  const h = emailHandlers(deps);
  const router = Router();
  router.get('/', [isAuthenticated], h.showEmail);
  router.post('/', [isAuthenticated], h.changeEmail);
  router.get('/verified', h.showVerified);
  router.get('/verify/:token', h.showVerify);
  router.post('/verify/:token', [publicRoute], h.verify);
  return router;
}
