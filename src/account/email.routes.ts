import { Router } from 'express';
import { publicRoute } from '../http/route-access';
import { signedInRouter } from '../security/signed-in-router';
import { type EmailDeps, emailHandlers } from './email.handlers';

/**
 * Mounted at /account/email. The verification link works for whoever holds it, signed in or not (it is
 * often opened on another device); its GET only shows a button, and the POST from that page acts.
 */
export function emailRoutes(deps: EmailDeps): Router {
  const h = emailHandlers(deps);
  const router = Router();
  router.get('/verified', [publicRoute], h.showVerified);
  router.get('/verify/:token', [publicRoute], h.showVerify);
  router.post('/verify/:token', [publicRoute], h.verify);
  const own = signedInRouter();
  own.get('/', h.showEmail);
  own.post('/', h.changeEmail);
  router.use(own);
  return router;
}
