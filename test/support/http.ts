import signature from 'cookie-signature';
import type { Response } from 'supertest';
import { TEST_SECRET } from './test-app';

/** Not on the common-password list (registration refuses those). */
export const PASSWORD = 'quiet-river-stone-42';

/** Set-Cookie lines of a response, always as an array. */
export function setCookies(res: Response): string[] {
  const header = res.headers['set-cookie'] as string | string[] | undefined;
  if (!header) return [];
  return Array.isArray(header) ? header : [header];
}

/** The session cookie's raw value from a response ("s%3A<id>.<signature>"), if one was set. */
export function sessionCookieValue(res: Response, name = 'folio.sid'): string | undefined {
  const line = setCookies(res).find((c) => c.startsWith(`${name}=`));
  const value = line?.slice(name.length + 1).split(';')[0];
  return value || undefined;
}

/** The session id inside a signed cookie value, verified with the test secret. */
export function sessionIdOf(cookieValue: string, secret = TEST_SECRET): string {
  const decoded = decodeURIComponent(cookieValue);
  if (!decoded.startsWith('s:')) throw new Error(`not a signed cookie: ${decoded}`);
  const id = signature.unsign(decoded.slice(2), secret);
  if (id === false) throw new Error('cookie signature does not verify');
  return id;
}

/** A signed cookie value for a session id, as express-session would set it. */
export function signedCookieFor(sessionId: string, secret = TEST_SECRET): string {
  return encodeURIComponent(`s:${signature.sign(sessionId, secret)}`);
}

/** The CSRF token of the first form on a page (what a browser would submit). */
export function csrfTokenFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on this page');
  return match[1];
}

/** The post titles listed on a page (front page, author page, reading list), in order, as HTML text. */
export function listedTitles(html: string): string[] {
  return [...html.matchAll(/class="post-summary__title"><a href="[^"]+">([^<]+)</g)].map((m) => m[1] ?? '');
}
