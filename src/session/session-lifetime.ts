import type { RequestHandler } from 'express';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { regenerateSession } from './session-ops';

/**
 * Enforces the idle and absolute timeouts on the server, whatever the cookie or the store say:
 * - idle: no request for SESSION_IDLE_MINUTES (REMEMBER_ME_DAYS with "Remember me");
 * - absolute: SESSION_ABSOLUTE_HOURS after sign-in (REMEMBER_ME_DAYS with "Remember me"), however active.
 * An expired session is replaced by an empty one (the old document is deleted), so the visitor is simply
 * anonymous; a browser is told why on its next page. "Last seen" is written at most once per touch
 * interval, so a signed-in reader's page views do not each cost a session write.
 */
export function enforceSessionLifetime(session: Config['session'], now: Clock): RequestHandler {
  const touchMs = session.touchAfterSeconds * 1000;
  return async (req, _res, next) => {
    const auth = req.session?.auth;
    if (!req.session?.user || !auth) return next();

    const t = now();
    const idleLimit = auth.remember ? session.rememberMeMs : session.idleMs;
    const absoluteLimit = auth.remember ? session.rememberMeMs : session.absoluteMs;
    if (t - auth.lastSeenAt > idleLimit || t - auth.signedInAt > absoluteLimit) {
      const userId = req.session.user.id;
      await regenerateSession(req);
      if (!wantsJson(req)) {
        // A form sent from here on is kept for this user only (http/kept-form.ts).
        req.session.endedUserId = userId;
        flash(req, 'info', 'Your session expired. Please sign in again.', {
          link: { href: '/auth/login', text: 'Sign in' },
        });
      }
      return next();
    }
    if (t - auth.lastSeenAt >= touchMs) auth.lastSeenAt = t;
    next();
  };
}
