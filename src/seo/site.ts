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
  const locals = { ...res.app.locals, ...res.locals } as Record<string, unknown>;
  const name = nonEmpty(locals.siteTitle) ?? nonEmpty(locals.siteName) ?? 'Folio';
  const description = nonEmpty(locals.siteDescription) ?? DEFAULT_SITE_DESCRIPTION;
  return { name, description };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
