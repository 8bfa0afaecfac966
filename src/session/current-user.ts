import type { Request } from 'express';
import type { SessionUser } from './session-data';

/**
 * The signed-in visitor, for handlers behind a sign-in guard (isAuthenticated, or a signedInRouter). A
 * handler that asks without one is a programming error, not a visitor's: it fails loudly as a 500.
 */
export function currentUser(req: Request): SessionUser {
  const user = req.session.user;
  if (!user) throw new Error(`a sign-in guard must run before ${req.method} ${req.baseUrl}${req.path}`);
  return user;
}
