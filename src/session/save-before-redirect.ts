import type { RequestHandler, Response } from 'express';
import { hasSessionData } from './session-ops';

/**
 * express-session saves a changed session while the response ends, after the status line and headers have
 * gone out. A browser that receives `303 Location: …` follows it at once, so the next request can read the
 * session before the flash message (or reading-list entry) written by this one is stored — and its own save
 * can then overwrite it. Saving before any redirect closes that race for every handler at once.
 */
export const saveSessionBeforeRedirect: RequestHandler = (req, res, next) => {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session || !hasSessionData(req)) {
      redirect(...args);
      return;
    }
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as Response['redirect'];
  next();
};
