import type { RequestHandler } from 'express';

/**
 * Answers only to the host names this site is served under (ALLOWED_HOSTS; in development the loopback
 * names). A DNS-rebinding page makes a victim's browser send requests to 127.0.0.1 under the attacker's
 * name: the `Host` header gives it away, and it gets a bare 400 before anything else runs.
 * `null` (production without PUBLIC_URL or ALLOWED_HOSTS) means no check; config warns at start.
 */
export function allowedHosts(hosts: readonly string[] | null): RequestHandler {
  if (hosts === null) return (_req, _res, next) => next();
  const allowed = new Set(hosts);
  return (req, res, next) => {
    if (allowed.has(hostName(req.headers.host))) return next();
    res.status(400).type('text/plain').send('Unknown host');
  };
}

/** `example.com:8080` → `example.com`, `[::1]:3000` → `[::1]`; lower-case. */
function hostName(header: string | undefined): string {
  if (!header) return '';
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
