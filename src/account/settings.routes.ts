import { type RequestHandler, Router } from 'express';
import type { FactorStore } from '../factors/factors.store';
import { NotFoundError } from '../http/errors';
import { isAuthenticated } from '../security/is-authenticated';
import { zoneOrUtc } from '../time/time-zone';
import type { UserModel } from '../users/user.model';

/**
 * issue 25: GET /account/settings — where the header's "Settings" leads: every setting of the account in
 * one place with its state (address, two-factor, passkeys, time zone), each linking to its own page.
 */
export function settingsRoutes(deps: { readonly users: UserModel; readonly factors: FactorStore }): Router {
  const router = Router();
  const show: RequestHandler = async (req, res) => {
    const user = req.session.user;
    if (!user) throw new Error('isAuthenticated must run before settings');
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
  router.get('/settings', [isAuthenticated], show);
  return router;
}
