import { type RequestHandler, Router } from 'express';
import { requireAuth } from '../auth/require-auth';
import type { UserModel } from '../auth/user.model';
import type { FactorStore } from '../factors/factors.store';
import { NotFoundError } from '../http/errors';
import { zoneOrUtc } from '../time/time-zone';

/**
 * issue 25: GET /account/settings — where the header's "Settings" leads: every setting of the account in
 * one place with its state (address, two-factor, passkeys, time zone), each linking to its own page.
 */
export function settingsRoutes(deps: { readonly users: UserModel; readonly factors: FactorStore }): Router {
  const router = Router();
  const show: RequestHandler = async (req, res) => {
    const user = req.session.user;
    if (!user) throw new Error('requireAuth must run before settings');
    const [record, twoFactor, passkeys] = await Promise.all([
      deps.users.findById(user.id, { email: 1, emailVerified: 1, timeZone: 1 }).lean(),
      deps.factors.hasTwoFactor(user.id),
      deps.factors.listPasskeys(user.id),
    ]);
    if (!record) throw new NotFoundError('No such user');
    res.render('account/settings', {
      title: 'Settings',
      active: 'settings',
      email: record.email ?? null,
      emailVerified: Boolean(record.email && record.emailVerified),
      twoFactor,
      passkeyCount: passkeys.length,
      shownZone: zoneOrUtc(user.timeZone),
    });
  };
  router.get('/settings', [requireAuth], show);
  return router;
}
