import { Router } from 'express';
import { requireAuth } from '../security/is-authenticated';
import { type AccountDeps, accountHandlers } from './account.handlers';
import { confirmRevokeOthers } from './confirm-revoke';
import { sudoHandlers } from './sudo';

export function accountRoutes(deps: AccountDeps): Router {
  const h = accountHandlers(deps);
  const confirm = sudoHandlers({ ...deps, reauthMs: deps.config.reauthMs });
  const router = Router();
  router.get('/sessions', [requireAuth], h.listSessions);
  router.get('/sessions/revoke-others', [requireAuth], confirmRevokeOthers);
  router.post('/sessions/revoke-others', [requireAuth, deps.sudo], h.revokeOthers);
  router.post('/sessions/:sid/revoke', [requireAuth], h.revokeOne);
  router.get('/password', [requireAuth], h.showPassword);
  // The form's current password is itself a fresh reauthentication: no separate sudo step.
  router.post('/password', [requireAuth], h.changePassword);
  router.get('/confirm', [requireAuth], confirm.show);
  router.post('/confirm', [requireAuth], confirm.confirm);
  return router;
}
