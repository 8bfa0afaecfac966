import type { Request } from 'express';

/** express-session's callback API as promises, so handlers can await them and let errors flow to next(). */

export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

/** Saving before a redirect means the next request (which may race the end of this one) sees the change. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}

/**
 * True when this visitor has a stored session: anything beyond the cookie settings is in it. A visitor
 * without one gets a fresh, empty session object from express-session that is never saved.
 */
export function hasSessionData(req: Request): boolean {
  return req.session !== undefined && Object.keys(req.session).some((key) => key !== 'cookie');
}
