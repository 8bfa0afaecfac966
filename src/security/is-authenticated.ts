import type { RequestHandler } from 'express';
import { UnauthenticatedError } from '../http/errors';
import { sendToLogin } from '../http/kept-form';
import { wantsJson } from '../http/negotiate';

/**
 * Signed-in visitors pass; JSON clients get a 401; browsers go to the login page with the reason and `next`
 * (and a writing form's text kept for after it: src/http/kept-form.ts).
 */
export const isAuthenticated: RequestHandler = (req, res, next) => {
  if (req.session.user) return next();
  if (wantsJson(req)) throw new UnauthenticatedError();
  sendToLogin(req, res);
};
