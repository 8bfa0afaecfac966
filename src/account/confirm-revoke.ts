import type { RequestHandler } from 'express';

/**
 * GET /account/sessions/revoke-others: the confirmation step before signing out every other device. Changes
 * nothing; its button posts to the existing route.
 */
export const confirmRevokeOthers: RequestHandler = (_req, res) => {
  res.render('account/revoke-others', { title: 'Sign out all other devices?' });
};
