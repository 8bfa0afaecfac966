import type { PostModel } from '../posts/post.model';
import { publishedFilter } from '../posts/post-queries';
import type { UserModel } from '../users/user.model';

/** The sitemap protocol's limit per file; far beyond this blog's size, so one file is enough. */
export const SITEMAP_MAX_URLS = 50_000;

export interface SitemapEntry {
  readonly loc: string;
  readonly lastmod?: Date;
}

/**
 * Every public page worth indexing: the front page, every public post (with the time it last changed),
 * every tag that has a public post, and the page of every author who has one and whose account is open.
 * Two queries on posts (the posts, the tags) and one on users, whatever the number of posts.
 */
export async function sitemapEntries(
  deps: { posts: PostModel; users: UserModel },
  publicUrl: string,
  now: Date,
): Promise<SitemapEntry[]> {
  const at = (path: string) => new URL(path, `${publicUrl}/`).href;
  const filter = publishedFilter(now);
  const [found, tags] = await Promise.all([
    deps.posts
      .find(filter, { authorName: 1, publishedAt: 1, updatedAt: 1 })
      .sort({ publishedAt: -1, _id: -1 })
      .limit(SITEMAP_MAX_URLS)
      .lean(),
    deps.posts.distinct('tags', filter),
  ]);
  const authorNames = [...new Set(found.map((p) => p.authorName))];
  const open = await deps.users
    .find({ username: { $in: authorNames }, deletedAt: { $exists: false } }, { username: 1 })
    .lean();
  const openNames = new Set(open.map((u) => u.username));

  const newest = found[0]?.updatedAt ?? found[0]?.publishedAt ?? undefined;
  const entries: SitemapEntry[] = [{ loc: at('/posts'), lastmod: newest }];
  for (const p of found) {
    entries.push({ loc: at(`/posts/${String(p._id)}`), lastmod: p.updatedAt ?? p.publishedAt ?? undefined });
  }
  for (const tag of (tags as string[]).sort()) entries.push({ loc: at(`/tags/${encodeURIComponent(tag)}`) });
  for (const name of authorNames.filter((n) => openNames.has(n)).sort()) {
    entries.push({ loc: at(`/users/${encodeURIComponent(name)}`) });
  }
  return entries.slice(0, SITEMAP_MAX_URLS);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

export function sitemapXml(entries: readonly SitemapEntry[]): string {
  const urls = entries.map((e) => {
    const lastmod = e.lastmod ? `<lastmod>${e.lastmod.toISOString()}</lastmod>` : '';
    return `<url><loc>${escapeXml(e.loc)}</loc>${lastmod}</url>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`;
}

/** Areas that are private or only forms with nothing to index. Login and register stay crawlable: public pages. */
export const DISALLOWED = ['/account', '/admin', '/auth', '/dev'] as const;
export const ALLOWED_UNDER_DISALLOWED = ['/auth/login', '/auth/register'] as const;

export function robotsTxt(publicUrl: string): string {
  return [
    'User-agent: *',
    'Allow: /',
    // Longest match wins (RFC 9309): these two stay crawlable although /auth is not.
    ...ALLOWED_UNDER_DISALLOWED.map((p) => `Allow: ${p}`),
    ...DISALLOWED.map((p) => `Disallow: ${p}`),
    '',
    `Sitemap: ${new URL('/sitemap.xml', `${publicUrl}/`).href}`,
    '',
  ].join('\n');
}
