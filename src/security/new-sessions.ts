import type { RequestHandler } from 'express';
import { TooManyRequestsError } from '../http/errors';
import { hasSessionData } from '../session/session-ops';
import type { AuthThrottle } from './login-throttle';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sign-in and registration create sessions too, but have limits of their own (login-throttle.ts); the mailed
 * links' forms (reset, confirm an address, keep an account, "this wasn't me") and "forgot password" are
 * limited by their tokens and the mail throttle, and must answer alike however often they are used.
 */
const OWN_LIMITS = [
  /^\/auth\/(login|register|forgot|restore)$/,
  /^\/auth\/reset\/[^/]+$/,
  /^\/account\/(email\/verify|restore|not-me)\/[^/]+$/,
];

/**
 * A visitor without a session who posts (say, "save for later") gets one: that is a document in MongoDB per
 * cookieless request, ~430 a second from one client before this limit. Each client (IPv4 address or IPv6
 * /64) may start 30 a minute; past that, 429 and nothing is stored. Browsers that keep their cookie never
 * come here again.
 */
export function limitNewSessions(throttle: AuthThrottle): RequestHandler {
  return async (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || hasSessionData(req) || OWN_LIMITS.some((p) => p.test(req.path))) return next();
    const wait = await throttle.newSessionRetryAfter(req.ip);
    if (wait > 0) throw new TooManyRequestsError(wait);
    next();
  };
}
