import type { RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { jsonForScript } from './json-ld';
import { siteIdentity } from './site';

/** What the head partial (views/partials/seo.ejs) writes for search engines and link previews. */
export interface Seo {
  /** Absolute, from PUBLIC_URL: never from the request's Host. */
  readonly canonical: string;
  readonly siteName: string;
  readonly description: string;
  /** og:type: `website` for lists and forms, `article` for a post. */
  readonly type: 'website' | 'article';
  /** A page's own title for previews; the partial falls back to the page's `title`, then the site name. */
  readonly title?: string;
  /** Absolute URL of the preview image, where the page has one. */
  readonly image?: string;
  /** Already made safe for a script element by jsonForScript. */
  readonly jsonLd?: string;
}

/** Query parameters that make a different page (anything else, e.g. tracking tags, shares the canonical URL). */
const PAGE_PARAMS = ['q', 'page'] as const;
const DESCRIPTION_MAX = 160;

/** The absolute canonical URL of a request's page: PUBLIC_URL + path + the parameters that select content. */
export function canonicalUrl(publicUrl: string, path: string, query: Record<string, unknown>): string {
  const url = new URL(path, `${publicUrl}/`);
  for (const name of PAGE_PARAMS) {
    const value = query[name];
    if (typeof value !== 'string' || value.trim() === '') continue;
    // Page 1 is the page without a number: one canonical URL for the same content.
    if (name === 'page' && (!/^\d+$/.test(value) || Number(value) <= 1)) continue;
    url.searchParams.set(name, value.trim());
  }
  return url.href;
}

/** Every page's defaults (site description, type website, canonical URL), ready before any route renders. */
export function seoLocals(publicUrl: string): RequestHandler {
  // Pages are read far more often than there are pages: a canonical URL is made once per path and content
  // parameters (`new URL` per request was ~1% of a signed-in view's CPU). Bounded: paths come from visitors.
  const canonicals = new LRUCache<string, string>({ max: 5_000 });
  return (req, res, next) => {
    const site = siteIdentity(res);
    const query = req.query as Record<string, unknown>;
    // JSON: no two (path, q, page) share a key, whatever characters a visitor puts in them.
    const key = JSON.stringify([
      req.path,
      ...PAGE_PARAMS.map((name) => (typeof query[name] === 'string' ? query[name] : null)),
    ]);
    let canonical = canonicals.get(key);
    if (canonical === undefined) {
      canonical = canonicalUrl(publicUrl, req.path, query);
      canonicals.set(key, canonical);
    }
    const seo: Seo = {
      canonical,
      siteName: site.name,
      description: site.description,
      type: 'website',
    };
    res.locals.seo = seo;
    next();
  };
}

export interface PostForSeo {
  readonly _id: unknown;
  readonly title: string;
  readonly excerpt?: string | null;
  readonly authorName: string;
  readonly createdAt?: Date | null;
  readonly publishedAt?: Date | null;
  readonly editedAt?: Date | null;
  readonly updatedAt?: Date | null;
  readonly tags?: readonly string[] | null;
  /** The id of the post's cover image (images feature), when it has one. */
  readonly coverImage?: unknown;
}

/** A post's page: its excerpt as description, type article, its cover as preview image, JSON-LD BlogPosting. */
export function postSeo(res: Response, post: PostForSeo): Seo {
  const base = res.locals.seo as Seo;
  const origin = new URL(base.canonical).origin;
  const description = shorten(post.excerpt ?? '') || base.description;
  const image =
    post.coverImage != null && String(post.coverImage) !== ''
      ? new URL(`/images/${encodeURIComponent(String(post.coverImage))}`, origin).href
      : undefined;
  const published = post.publishedAt ?? post.createdAt;
  const modified = post.editedAt ?? post.updatedAt ?? published;
  const ld = {
    '@context': 'https://schema.org',
    '@type': 'BlogPosting',
    headline: post.title.slice(0, 110),
    description,
    url: base.canonical,
    mainEntityOfPage: base.canonical,
    datePublished: published?.toISOString(),
    dateModified: modified?.toISOString(),
    author: {
      '@type': 'Person',
      name: post.authorName,
      url: new URL(`/users/${encodeURIComponent(post.authorName)}`, origin).href,
    },
    publisher: { '@type': 'Organization', name: base.siteName, url: new URL('/posts', origin).href },
    keywords: post.tags && post.tags.length > 0 ? post.tags.join(', ') : undefined,
    image,
  };
  return { ...base, title: post.title, description, type: 'article', image, jsonLd: jsonForScript(ld) };
}

/** At most DESCRIPTION_MAX characters, cut at a word, with an ellipsis when cut. */
export function shorten(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= DESCRIPTION_MAX) return clean;
  const cut = clean.slice(0, DESCRIPTION_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > DESCRIPTION_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * A list page's previews with the canonical URL made from its path and page number only, never from the
 * request's query: the page is shared by every signed-in reader (posts/shared-list-page.ts), and one reader's
 * `?q=…` or `?page=02` must not show in another's.
 */
export function listSeo(res: Response, path: string, page: number): Seo {
  const base = res.locals.seo as Seo;
  const origin = new URL(base.canonical).origin;
  return { ...base, canonical: canonicalUrl(origin, path, page > 1 ? { page: String(page) } : {}) };
}
