import { type RequestHandler, Router } from 'express';
import { publicRoute } from '../http/route-access';
import { type AuthDeps, authHandlers } from './auth.handlers';

/** /auth/profile is an API endpoint: always JSON, so an anonymous caller gets 401 rather than a redirect. */
const requireAuthJson: RequestHandler = (req, res, next) => {
  if (req.session.user) return next();
  res.status(401).json({ error: 'Not authenticated' });
};

export function authRoutes(deps: AuthDeps): Router {
  const h = authHandlers(deps);
  const router = Router();
  router.get('/register', [publicRoute], h.showRegister);
  router.post('/register', [publicRoute], h.register);
  // An invitation's link: the register form, creating the account with the invitation's role.
  router.get('/invite/:token', [publicRoute], h.showRegister);
  router.post('/invite/:token', [publicRoute], h.register);
  router.get('/login', [publicRoute], h.showLogin);
  router.post('/login', [publicRoute], h.login);
  // Public: the visitor proved the password a moment ago (kept in their session), but is not signed in.
  router.post('/restore', [publicRoute], h.restoreAtSignIn);
  router.get('/logout', [publicRoute], h.showLogout);
  // Public: a visitor whose session already ended may still press "Log out".
  router.post('/logout', [publicRoute], h.logout);
  router.get('/profile', requireAuthJson, h.profile);
  return router;
}
