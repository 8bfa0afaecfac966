import type { Express, NextFunction, Response } from 'express';
import { hasSessionData } from './session-ops';

/**
 * express-session saves a changed session while the response ends, after the status line and headers have
 * gone out. A browser that receives `303 Location: …` follows it at once, so the next request can read the
 * session before the flash message (or reading-list entry) written by this one is stored — and its own save
 * can then overwrite it. Saving before any redirect closes that race for every handler at once.
 *
 * Installed once on this app's response prototype, as Express defines `res.redirect` itself, rather than
 * wrapped per request: most requests never redirect.
 */
export function saveSessionBeforeRedirect(app: Express): void {
  const redirect = app.response.redirect as (this: Response, ...args: unknown[]) => void;
  app.response.redirect = function saveThenRedirect(this: Response, ...args: unknown[]) {
    const req = this.req;
    if (!req.session || !hasSessionData(req)) {
      redirect.apply(this, args);
      return;
    }
    // req.next: the current route's next, so a failed save reaches the error handler like any error.
    req.session.save((err) => (err ? (req.next as NextFunction)(err) : redirect.apply(this, args)));
  } as Response['redirect'];
}
