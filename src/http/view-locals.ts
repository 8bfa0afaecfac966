import type { Request, RequestHandler } from 'express';
import { loginReasonText } from './kept-form';

/**
 * What a feature adds to the header of every page, computed from the request alone (the session already
 * loaded: no query, no write). Features declare theirs and the composition root passes them in, so http/
 * knows no feature.
 */
export type HeaderLocals = (req: Request) => Readonly<Record<string, unknown>>;

/**
 * Who is signed in and what the features put in the header, for every page (form defaults live in
 * app.locals). Runs before the CSRF check, so a page rendered from inside it (the "send it again" page) has
 * the header too. The login page also learns why it is shown (`?reason=`, or the session that just ended)
 * and whether a kept form waits for the visitor.
 */
export function viewLocals(headerLocals: readonly HeaderLocals[]): RequestHandler {
  return (req, res, next) => {
    res.locals.currentUser = req.session?.user ?? null;
    for (const locals of headerLocals) Object.assign(res.locals, locals(req));
    if (req.path === '/auth/login') {
      res.locals.loginReason = loginReasonText(req, res);
      res.locals.keptFormWaiting = Boolean(req.session?.keptForm);
    }
    next();
  };
}
