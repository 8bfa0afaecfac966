import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../http/errors';
import { refuseStaleForm } from '../http/kept-form';
import { isApiRequest } from '../http/negotiate';
import { hasSessionData } from '../session/session-ops';
import { isCrossSiteRequest } from './same-origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The token a form sends in its hidden `_csrf` field (or a script in `X-CSRF-Token`); only strings count. */
function tokenFromRequest(req: Request): string | undefined {
  const body: unknown = req.body;
  const field = body && typeof body === 'object' ? (body as Record<string, unknown>)._csrf : undefined;
  if (typeof field === 'string') return field;
  const header = req.get('x-csrf-token');
  return typeof header === 'string' ? header : undefined;
}

/**
 * CSRF defence, as the contract states it:
 * - a visitor with a session gets a synchronizer token (csrf-sync, kept in the session) in every form, and a
 *   form POST without the right one is refused;
 * - a visitor without a session gets no token and no cookie; their POSTs (login, register, save for later)
 *   have no session to forge against and pass only when Origin / Sec-Fetch-Site, where sent, say same-origin
 *   (which also stops login CSRF);
 * - JSON requests need no token (a cross-site page cannot send Content-Type: application/json without a
 *   CORS preflight, and Folio answers no CORS), but are refused when the browser says cross-site; the same
 *   holds for bodiless API calls (SameSite=Lax keeps the cookie off cross-site POSTs, and browsers always
 *   send Origin on POST, which the cross-site check reads).
 * The token is rotated by signIn(), which starts a new session.
 */
const { generateToken, isRequestValid } = csrfSync({ getTokenFromRequest: tokenFromRequest, size: 32 });

/** A fresh token for a session that was just created (sign-in), saved with it rather than on the next page. */
export function rotateCsrfToken(req: Request): string {
  return generateToken(req, true);
}

/**
 * Whether `token` is this session's CSRF token, for a body the parsers above do not read (multipart
 * uploads, whose `_csrf` field arrives while the handler streams the request: src/images/images.upload.ts).
 */
export function csrfTokenMatches(req: Request, token: string): boolean {
  if (!hasSessionData(req)) return false;
  // The same comparison as every form's, on a view of the request whose body is just that field.
  const view: Request = Object.create(req, { body: { value: { _csrf: token } } });
  return isRequestValid(view);
}

export function csrfProtection(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      // Only for visitors who already have a session: minting a token must never create one.
      if (hasSessionData(req)) res.locals.csrfToken = generateToken(req);
      return next();
    }
    if (isCrossSiteRequest(req)) {
      req.log?.warn(
        { event: 'cross_site_refused', ip: req.ip, origin: req.get('origin') },
        'cross-site request refused',
      );
      throw new ForbiddenError('Cross-site request refused');
    }
    if (isApiRequest(req) || !hasSessionData(req)) return next();
    // People get a page that explains and offers to send the form again (or to log in again); scripts a 403.
    if (!isRequestValid(req)) {
      req.log?.warn({ event: 'csrf_refused', ip: req.ip, userId: req.session.user?.id }, 'CSRF token missing or wrong');
      return refuseStaleForm(req, res, () => generateToken(req));
    }
    res.locals.csrfToken = generateToken(req);
    next();
  };
}
