import type { RequestHandler } from 'express';
import { UnauthenticatedError } from '../http/errors';
import { wantsJson } from '../http/negotiate';

/** Signed-in visitors pass; browsers go to the login page (and come back after), JSON clients get a 401. */
export const requireAuth: RequestHandler = (req, res, next) => {
  if (req.session.user) return next();
  if (wantsJson(req)) throw new UnauthenticatedError();
  const next_ = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(303, `/auth/login${next_}`);
};
