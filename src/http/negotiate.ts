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
