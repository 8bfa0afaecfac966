import type { RequestHandler } from 'express';
import onHeaders from 'on-headers';
import { hasSessionData } from './session-ops';

/**
 * Decided when headers are written, because a handler may create or destroy the session on the way:
 * - any response that sets a cookie or belongs to a session: `no-store` (nothing personal in any cache);
 * - anonymous pages: cacheable but revalidated (`no-cache` + ETag), and `Vary: Cookie` so a shared cache
 *   never hands an anonymous copy to a signed-in visitor or the reverse.
 * Responses that set their own Cache-Control (static files, health probes) keep it.
 */
export const noStoreForSessions: RequestHandler = (req, res, next) => {
  onHeaders(res, () => {
    // Static files and probes never reach the session middleware (which sets sessionID on every other
    // request, and keeps it after a logout destroys the session).
    if (req.sessionID === undefined) return;
    // A response that already forbids storing (an owner's picture: `private, no-store`) keeps its own words.
    if (String(res.getHeader('Cache-Control') ?? '').includes('no-store')) return;
    if (res.getHeader('set-cookie') !== undefined || req.session === undefined || hasSessionData(req)) {
      res.setHeader('Cache-Control', 'no-store');
      return;
    }
    if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-cache');
    res.vary('Cookie');
  });
  next();
};
