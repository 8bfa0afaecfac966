import type { RequestHandler } from 'express';

/** Who is signed in, for the header of every page (form defaults live in app.locals). */
export const viewLocals: RequestHandler = (req, res, next) => {
  res.locals.currentUser = req.session?.user ?? null;
  next();
};
