import type { RequestHandler } from 'express';
import { wantsJson } from '../http/negotiate';
import type { UserModel } from '../users/user.model';

/**
 * The account pages of a user without a confirmed address say, above everything, that the account cannot be
 * recovered and where to add one. One small read on account pages only: blog pages never pay for it.
 */
export function recoveryNotice(users: UserModel): RequestHandler {
  return async (req, res, next) => {
    const user = req.session?.user;
    // /account/email says it in its own words.
    if (!user || req.method !== 'GET' || req.path.startsWith('/email') || wantsJson(req)) return next();
    const record = await users.findById(user.id, { email: 1, emailVerified: 1 }).lean();
    res.locals.recoveryNotice = record !== null && record.emailVerified !== true;
    // issue 25: an address given but not confirmed yet is named, with "Resend the link" (not "Add an address").
    res.locals.unconfirmedEmail = record && record.emailVerified !== true ? (record.email ?? null) : null;
    res.locals.currentPath = req.originalUrl.split('?')[0];
    next();
  };
}
