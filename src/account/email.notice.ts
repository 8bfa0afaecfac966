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
    const record = await users.findById(user.id, { emailVerified: 1 }).lean();
    res.locals.recoveryNotice = record !== null && record.emailVerified !== true;
    next();
  };
}
