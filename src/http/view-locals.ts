import type { RequestHandler } from 'express';
import { readingListCountOf } from '../reading-list/reading-list.session';
import { zoneOrUtc } from '../time/time-zone';
import { zonedFormatters } from '../time/zoned-formatters';
import { loginReasonText } from './kept-form';

/**
 * Who is signed in and how many posts they saved, for the header of every page (form defaults live in
 * app.locals). Both come from the session already loaded: no query, no write. The login page also learns why
 * it is shown (`?reason=`, or the session that just ended) and whether a kept form waits for the visitor.
 */
export const viewLocals: RequestHandler = (req, res, next) => {
  res.locals.currentUser = req.session?.user ?? null;
  res.locals.readingListCount = readingListCountOf(req);
  // Every date on the page in the account's zone (src/time); anonymous pages (cached, shared) say UTC.
  Object.assign(res.locals, zonedFormatters(zoneOrUtc(req.session?.user?.timeZone)));
  if (req.path === '/auth/login') {
    res.locals.loginReason = loginReasonText(req, res);
    res.locals.keptFormWaiting = Boolean(req.session?.keptForm);
  }
  next();
};
