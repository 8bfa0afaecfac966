import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { regenerateSession, saveSession } from '../session/session-ops';

/** Anonymous state that survives signing in (the visitor keeps what they did before logging in). */
const CARRIED_OVER: readonly (keyof SessionData)[] = ['flash'];

export interface SignInOptions {
  readonly remember: boolean;
  readonly rememberMeMs: number;
}

/**
 * Signs a user in on a brand-new session id (the old one is destroyed in the store), so an id planted
 * before login (session fixation) is worthless afterwards. Saved before the caller redirects.
 */
export async function signIn(
  req: Request,
  user: { readonly id: string; readonly username: string },
  options: SignInOptions,
): Promise<void> {
  const carried = Object.fromEntries(
    CARRIED_OVER.filter((key) => req.session[key] !== undefined).map((key) => [key, req.session[key]]),
  );
  await regenerateSession(req);
  Object.assign(req.session, carried);
  req.session.user = { id: user.id, username: user.username };
  // A fresh session's cookie has no Max-Age (it ends with the browser); "Remember me" makes it persistent.
  if (options.remember) req.session.cookie.maxAge = options.rememberMeMs;
  await saveSession(req);
}
