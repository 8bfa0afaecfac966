import { randomBytes } from 'node:crypto';
import signature from 'cookie-signature';
import type { Request, Response } from 'express';
import type { Config } from '../config';
import { cookieValue } from '../http/cookies';

const MAX_AGE_MS = 400 * 86_400_000; // the longest browsers keep a cookie

export function deviceCookieName(config: Config): string {
  return config.session.cookieSecure ? '__Host-folio.device' : 'folio.device';
}

/**
 * A long-lived, signed, HttpOnly cookie that names this browser — a random id, nothing of any account — so a
 * sign-in can tell a browser that has signed in to the account before from a new one (new-device alerts).
 * Separate from the session cookie: it survives sign-out and session expiry. Read and set only at sign-in.
 */
export function readDeviceId(req: Request, config: Config): string | undefined {
  const raw = cookieValue(req.headers.cookie, deviceCookieName(config));
  if (!raw?.startsWith('s:')) return undefined;
  for (const secret of config.session.secrets) {
    const id = signature.unsign(raw.slice(2), secret);
    if (id !== false && /^[A-Za-z0-9_-]{22}$/.test(id)) return id;
  }
  return undefined;
}

/**
 * The request's device id, issuing (and setting the cookie for) a new one when it has none. Like the session
 * cookie, a Secure one is only sent over HTTPS (as Express sees it, through TRUST_PROXY).
 */
export function ensureDeviceId(req: Request, res: Response, config: Config): string {
  const existing = readDeviceId(req, config);
  if (existing) return existing;
  const id = randomBytes(16).toString('base64url');
  if (config.session.cookieSecure && !req.secure) return id;
  const [secret = ''] = config.session.secrets;
  res.cookie(deviceCookieName(config), `s:${signature.sign(id, secret)}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.session.cookieSecure,
    path: '/',
    maxAge: MAX_AGE_MS,
    encode: String,
  });
  return id;
}
