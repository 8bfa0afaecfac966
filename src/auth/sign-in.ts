import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { rotateCsrfToken } from '../security/csrf';
import { regenerateSession, saveSession } from '../session/session-ops';

/**
 * The low-level steps of becoming signed in. Only the sign-in pipeline (sign-in.service.ts) may call them:
 * test/security/one-way-in.test.ts fails if anything else in src/ imports this module.
 */

/** Anonymous state that survives signing in (the visitor keeps what they did before logging in). */
const CARRIED_OVER: readonly (keyof SessionData)[] = ['flash', 'readingList', 'keptForm'];

/** Runs on the new session before it is saved (e.g. the reading list's merge), given the signed-in user's id. */
export type SignedInHook = (req: Request, userId: string) => Promise<void>;

export interface SignInOptions {
  readonly remember: boolean;
  readonly rememberMeMs: number;
  readonly now: number;
  /** Sudo mode starts now: only when the sign-in proved everything the account has (see sign-in.service.ts). */
  readonly sudo: boolean;
  readonly hooks: readonly SignedInHook[];
}

/**
 * A new session id for this visitor, keeping the anonymous state worth keeping: the old session is ended in
 * the store, so an id planted before (session fixation) is worthless afterwards.
 */
export async function renewSessionId(req: Request): Promise<void> {
  const carried = Object.fromEntries(
    CARRIED_OVER.filter((key) => req.session[key] !== undefined).map((key) => [key, req.session[key]]),
  );
  await regenerateSession(req);
  Object.assign(req.session, carried);
}

/**
 * Signs a user in on a brand-new session id, with a new CSRF token (kept in the session). Saved before the
 * caller redirects.
 */
export async function signIn(
  req: Request,
  user: { readonly id: string; readonly username: string; readonly timeZone?: string; readonly mayWrite?: boolean },
  options: SignInOptions,
): Promise<void> {
  await renewSessionId(req);
  req.session.user = {
    id: user.id,
    username: user.username,
    ...(user.timeZone ? { timeZone: user.timeZone } : {}),
    ...(user.mayWrite === false ? { mayWrite: false } : {}),
  };
  req.session.auth = {
    signedInAt: options.now,
    lastSeenAt: options.now,
    remember: options.remember,
    ...(options.sudo ? { reauthAt: options.now } : {}),
  };
  req.session.device = {
    publicId: randomUUID(),
    userAgent: (req.get('user-agent') ?? '').slice(0, 512),
    ip: req.ip ?? 'unknown',
  };
  rotateCsrfToken(req);
  for (const hook of options.hooks) await hook(req, user.id);
  // A fresh session's cookie has no Max-Age (it ends with the browser); "Remember me" makes it persistent.
  if (options.remember) req.session.cookie.maxAge = options.rememberMeMs;
  await saveSession(req);
}
