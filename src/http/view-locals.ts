import type { RequestHandler } from 'express';
import { readingListCountOf } from '../reading-list/reading-list.session';

/**
 * Who is signed in and how many posts they saved, for the header of every page (form defaults live in
 * app.locals). Both come from the session already loaded: no query, no write.
 */
export const viewLocals: RequestHandler = (req, res, next) => {
  res.locals.currentUser = req.session?.user ?? null;
  res.locals.readingListCount = readingListCountOf(req);
  next();
};
