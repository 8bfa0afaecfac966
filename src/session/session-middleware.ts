import signature from 'cookie-signature';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Connection } from 'mongoose';
import type { Config } from '../config';
import './session-data';
import { cookieValue } from '../http/cookies';
import { hasSessionData } from './session-ops';
import { type EndReason, FolioSessionStore } from './session-store';

export { SESSIONS_COLLECTION } from './session-store';

/**
 * Sessions live in MongoDB, in the app's own database and client, so any number of app processes share them.
 * The store is connect-mongo's MongoStore, extended so that ended sessions stay ended (see session-store.ts).
 */
export function createSessionStore(connection: Connection, config: Config): FolioSessionStore {
  // Wall-clock time, like MongoDB's TTL monitor: the timeouts themselves are enforced, with the app's
  // clock, by enforceSessionLifetime.
  return new FolioSessionStore(connection, {
    // For cookies without Max-Age (no "Remember me"), the stored session expires after the idle limit.
    ttlSeconds: Math.ceil(config.session.idleMs / 1000),
    touchAfterSeconds: config.session.touchAfterSeconds,
  });
}

export function createSessionMiddleware(config: Config, store: session.Store): RequestHandler {
  return session({
    name: config.session.cookieName,
    secret: [...config.session.secrets],
    store,
    resave: false,
    saveUninitialized: false,
    // 'keep': logout and revocation end sessions explicitly; a request that merely failed to load its
    // session (MongoDB down) must not delete it on the way out.
    unset: 'keep',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.session.cookieSecure,
      path: '/',
      // No maxAge by default: a browser-session cookie; "Remember me" sets one at login.
    },
  });
}

declare global {
  namespace Express {
    interface Locals {
      /** Set when this request's cookie named a session that has ended: the login page says why. */
      sessionEnded?: EndReason;
      /** Who was signed in on that ended session (a form kept from it is theirs only). */
      sessionEndedUserId?: string;
    }
  }
}

/**
 * A visitor whose cookie names an ended session is simply anonymous; this tells the pages why (signed out on
 * another device, password changed…). Costs nothing unless this process met a tombstone lately: the store
 * remembers what its `get` found, and only then is the cookie's id read here.
 */
export function exposeEndedSession(config: Config, store: FolioSessionStore): RequestHandler {
  return (req, res, next) => {
    if (!store.hasEndedSessions || hasSessionData(req)) return next();
    const raw = cookieValue(req.headers.cookie, config.session.cookieName);
    if (raw?.startsWith('s:')) {
      for (const secret of config.session.secrets) {
        const sid = signature.unsign(raw.slice(2), secret);
        if (sid !== false) {
          res.locals.sessionEnded = store.endedReason(sid);
          res.locals.sessionEndedUserId = store.endedUserId(sid);
          break;
        }
      }
    }
    next();
  };
}
