import type { Request } from 'express';

/**
 * True when the browser tells us the request comes from another site. Browsers send `Sec-Fetch-Site`
 * and (on POST) `Origin`; either one saying "not this origin" is enough. `Origin: null` (sandboxed
 * frames, privacy redirects) is refused too. Clients that send neither (curl, the tutorial's examples)
 * are not browsers being tricked, so they pass.
 */
export function isCrossSiteRequest(req: Request): boolean {
  const fetchSite = req.get('sec-fetch-site');
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return true;

  const origin = req.get('origin');
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true; // not a URL: not our origin
  }
  // Compare hosts (with port), not schemes: behind a TLS-terminating proxy without TRUST_PROXY the app
  // sees http while the browser says https, and that is still this site.
  return originHost !== req.get('host');
}
