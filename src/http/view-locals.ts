import type { RequestHandler } from 'express';

/** What every view may rely on: who is signed in, where we are, and empty form state. */
export const viewLocals: RequestHandler = (req, res, next) => {
  res.locals.currentUser = req.session?.user ?? null;
  res.locals.currentPath = req.path;
  res.locals.values = {};
  res.locals.errors = {};
  res.locals.formMessage = null;
  next();
};
