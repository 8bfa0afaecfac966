import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { mergeReadingListAtSignIn } from '../reading-list/reading-list.session';
import { rotateCsrfToken } from '../security/csrf';
import { regenerateSession, saveSession } from '../session/session-ops';

/** Anonymous state that survives signing in (the visitor keeps what they did before logging in). */
const CARRIED_OVER: readonly (keyof SessionData)[] = ['flash', 'readingList', 'keptForm'];

export interface SignInOptions {
  readonly remember: boolean;
  readonly rememberMeMs: number;
  readonly now: number;
}

/**
 * Signs a user in on a brand-new session id: the old session is destroyed in the store, so an id planted
 * before login (session fixation) is worthless afterwards, and the CSRF token (kept in the session) is new.
 * Saved before the caller redirects.
 */
export async function signIn(
  req: Request,
  user: { readonly id: string; readonly username: string; readonly timeZone?: string },
  options: SignInOptions,
): Promise<void> {
  const carried = Object.fromEntries(
    CARRIED_OVER.filter((key) => req.session[key] !== undefined).map((key) => [key, req.session[key]]),
  );
  await regenerateSession(req);
  Object.assign(req.session, carried);
  req.session.user = { id: user.id, username: user.username, ...(user.timeZone ? { timeZone: user.timeZone } : {}) };
  // A password (or passkey) was just presented: sudo mode starts now (see account/sudo.ts).
  req.session.auth = {
    signedInAt: options.now,
    lastSeenAt: options.now,
    remember: options.remember,
    reauthAt: options.now,
  };
  req.session.device = {
    publicId: randomUUID(),
    userAgent: (req.get('user-agent') ?? '').slice(0, 512),
    ip: req.ip ?? 'unknown',
  };
  rotateCsrfToken(req);
  await mergeReadingListAtSignIn(req, user.id);
  // A fresh session's cookie has no Max-Age (it ends with the browser); "Remember me" makes it persistent.
  if (options.remember) req.session.cookie.maxAge = options.rememberMeMs;
  await saveSession(req);
}
