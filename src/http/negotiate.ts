import type { Request } from 'express';

/** A JSON request, judged by its Content-Type header only (never by sniffing the body). */
export function isJsonRequest(req: Request): boolean {
  const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/** Browsers get HTML; JSON requests and clients that prefer JSON get JSON. */
export function wantsJson(req: Request): boolean {
  return isJsonRequest(req) || req.accepts(['html', 'json']) === 'json';
}

/**
 * An API call rather than a form post: a JSON body, or no body at all from a client that asks for JSON
 * (the tutorial's `POST /auth/logout`). Browsers' cross-site form posts are neither.
 */
export function isApiRequest(req: Request): boolean {
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  return isJsonRequest(req) || (!hasBody && wantsJson(req));
}
