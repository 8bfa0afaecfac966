import { Router } from 'express';
import { isAuthenticated } from '../security/is-authenticated';
import { type AccountDeps, accountHandlers } from './account.handlers';
import { confirmRevokeOthers } from './confirm-revoke';
import { sudoHandlers } from './sudo';

export function accountRoutes(deps: AccountDeps): Router {
  const h = accountHandlers(deps);
  const confirm = sudoHandlers({ ...deps, reauthMs: deps.config.reauthMs });
  const router = Router();
  router.get('/sessions', [isAuthenticated], h.listSessions);
  router.get('/sessions/revoke-others', [isAuthenticated], confirmRevokeOthers);
  router.post('/sessions/revoke-others', [isAuthenticated, deps.sudo], h.revokeOthers);
  router.post('/sessions/:sid/revoke', [isAuthenticated], h.revokeOne);
  router.get('/password', [isAuthenticated], h.showPassword);
  // The form's current password is itself a fresh reauthentication: no separate sudo step.
  router.post('/password', [isAuthenticated], h.changePassword);
  router.get('/confirm', [isAuthenticated], confirm.show);
  router.post('/confirm', [isAuthenticated], confirm.confirm);
  return router;
}
