import { Router } from 'express';
import { requireAuth } from '../auth/require-auth';
import { type AccountDeps, accountHandlers } from './account.handlers';
import { confirmRevokeOthers } from './confirm-revoke';

export function accountRoutes(deps: AccountDeps): Router {
  const h = accountHandlers(deps);
  const router = Router();
  router.get('/sessions', [requireAuth], h.listSessions);
  router.get('/sessions/revoke-others', [requireAuth], confirmRevokeOthers);
  router.post('/sessions/revoke-others', [requireAuth], h.revokeOthers);
  router.post('/sessions/:sid/revoke', [requireAuth], h.revokeOne);
  router.get('/password', [requireAuth], h.showPassword);
  router.post('/password', [requireAuth], h.changePassword);
  return router;
}
