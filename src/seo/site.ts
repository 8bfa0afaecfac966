import type { Response } from 'express';

/** Said of the site until an administrator writes its own description (site settings). */
export const DEFAULT_SITE_DESCRIPTION = 'A small blog that does sessions and cookies right.';

export interface SiteIdentity {
  readonly name: string;
  readonly description: string;
}

/**
 * The site's name and description as pages, link previews and the sitemap show them. The one place that
 * decides where they come from: site settings (`siteTitle`, `siteDescription` in the locals) when a request
 * has them, else the app's `siteName` and the default description.
 */
export function siteIdentity(res: Response): SiteIdentity {
  // Key by key, as a view sees them (res.locals over app.locals): spreading both objects on every request
  // cost ~1% of a signed-in page view's CPU (`npm run bench -- --profile posts-signed-in`).
  const local = (key: string): unknown =>
    Object.hasOwn(res.locals, key) ? res.locals[key] : (res.app.locals as Record<string, unknown>)[key];
  const name = nonEmpty(local('siteTitle')) ?? nonEmpty(local('siteName')) ?? 'Folio';
  const description = nonEmpty(local('siteDescription')) ?? DEFAULT_SITE_DESCRIPTION;
  return { name, description };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
