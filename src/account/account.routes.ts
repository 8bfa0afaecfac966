import type { Router } from 'express';
import { signedInRouter } from '../security/signed-in-router';
import { type AccountDeps, accountHandlers } from './account.handlers';
import { confirmRevokeOthers } from './confirm-revoke';
import { sudoHandlers } from './sudo';

export function accountRoutes(deps: AccountDeps): Router {
  const h = accountHandlers(deps);
  const confirm = sudoHandlers({ ...deps, reauthMs: deps.config.reauthMs });
  // Every page here is the signed-in visitor's own.
  const router = signedInRouter();
  router.get('/sessions', h.listSessions);
  router.get('/sessions/revoke-others', confirmRevokeOthers);
  router.post('/sessions/revoke-others', [deps.sudo], h.revokeOthers);
  router.post('/sessions/:sid/revoke', h.revokeOne);
  router.get('/password', h.showPassword);
  // The form's current password is itself a fresh reauthentication: no separate sudo step.
  router.post('/password', h.changePassword);
  router.get('/confirm', confirm.show);
  router.post('/confirm', confirm.confirm);
  return router;
}
