import { Feed } from 'feed';
import { publicLink } from '../http/links';
import type { FeedPost } from '../posts/post-queries';

export interface FeedSpec {
  /** The site's public origin (config.publicUrl): every link in a feed is absolute and built from it. */
  readonly publicUrl: string;
  readonly siteName: string;
  readonly title: string;
  /** The site description setting, as the feed's subtitle. */
  readonly description?: string;
  /** The page this feed mirrors, e.g. `/tags/node-js`. */
  readonly pagePath: string;
  /** This feed's own path. */
  readonly feedPath: string;
  /** The JSON Feed's path, when there is one. */
  readonly jsonPath?: string;
  readonly posts: readonly FeedPost[];
}

/** The newest change to any post in the feed; fixed for fixed content, so the ETag stays the same. */
function lastChange(posts: readonly FeedPost[]): Date {
  const times = posts.map((p) =>
    Math.max((p.editedAt ?? p.publishedAt ?? p.createdAt).getTime(), p.publishedAt?.getTime() ?? 0),
  );
  return new Date(times.length > 0 ? Math.max(...times) : 0);
}

/** Text as HTML that shows exactly that text. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An `<img>` tag of the stored HTML, and its `src` / `srcset` (sanitize-html writes every value in double quotes). */
const IMG_TAG = /<img\b[^>]*>/g;
const IMG_URLS = / (src|srcset)="([^"]*)"/g;

/** A root-relative URL (`/images/…`) made absolute from PUBLIC_URL; absolute ones (another site's) as they are. */
function absolute(publicUrl: string, url: string): string {
  return url.startsWith('/') && !url.startsWith('//') ? publicLink(publicUrl, url) : url;
}

/**
 * A post's stored HTML with its pictures' URLs absolute. Folio's own pictures are stored as `/images/<id>`
 * (and `/images/<id>/<w>.webp` in the srcset): on the site they resolve against the page, but a feed reader
 * shows the post elsewhere, where they would resolve against the reader's own origin (or not at all). Built
 * from PUBLIC_URL, never from the request's Host.
 */
export function absoluteImageUrls(html: string, publicUrl: string): string {
  return html.replace(IMG_TAG, (tag) =>
    tag.replace(IMG_URLS, (_attr, name: string, value: string) => {
      const urls =
        name === 'src'
          ? absolute(publicUrl, value)
          : value
              .split(',')
              .map((candidate) => {
                const [url = '', ...descriptor] = candidate.trim().split(/\s+/);
                return [absolute(publicUrl, url), ...descriptor].join(' ');
              })
              .join(', ');
      return ` ${name}="${urls}"`;
    }),
  );
}

/** The cover as the entry's picture (JSON Feed `image`, an Atom enclosure): its WebP of at most 960 px, absolute. */
function coverUrl(publicUrl: string, post: FeedPost): string | undefined {
  const widths = post.cover?.variantWidths ?? [];
  if (!post.coverImage || widths.length === 0) return undefined;
  const width = Math.max(...widths.filter((w) => w <= 960), Math.min(...widths));
  return publicLink(publicUrl, `/images/${encodeURIComponent(post.coverImage)}/${width}.webp`);
}

/**
 * Built with the `feed` library from the stored, sanitised HTML of each post. `htmlText`: the library writes
 * Atom's entry title and summary as `type="html"`, so a reader renders them as markup — a title is plain
 * text, so for Atom it goes in escaped (a title "<script>…" stays those characters). JSON Feed's title and
 * summary are plain text and go in as they are.
 */
function buildFeed(spec: FeedSpec, htmlText: boolean): Feed {
  const asText = htmlText ? escapeHtml : (text: string) => text;
  const origin = spec.publicUrl;
  const feed = new Feed({
    id: `${origin}${spec.pagePath}`,
    title: spec.title,
    ...(spec.description ? { description: spec.description } : {}),
    link: `${origin}${spec.pagePath}`,
    language: 'en',
    updated: lastChange(spec.posts),
    generator: spec.siteName,
    copyright: `The authors of ${spec.siteName}`,
    favicon: `${origin}/favicon.svg`,
    feedLinks: { atom: `${origin}${spec.feedPath}`, ...(spec.jsonPath ? { json: `${origin}${spec.jsonPath}` } : {}) },
  });
  for (const post of spec.posts) {
    const url = `${origin}/posts/${String(post._id)}`;
    const cover = coverUrl(origin, post);
    feed.addItem({
      id: url,
      link: url,
      title: asText(post.title),
      date: post.editedAt ?? post.publishedAt ?? post.createdAt,
      published: post.publishedAt ?? post.createdAt,
      description: asText(post.excerpt),
      content: absoluteImageUrls(post.bodyHtml, origin),
      ...(cover ? { image: cover } : {}),
      author: [{ name: post.authorName, link: `${origin}/users/${encodeURIComponent(post.authorName)}` }],
      category: (post.tags ?? []).map((tag) => ({ name: tag, term: tag, scheme: `${origin}/tags/` })),
    });
  }
  return feed;
}

export function atomFeed(spec: FeedSpec): string {
  return buildFeed(spec, true).atom1();
}

interface JsonFeedAuthor {
  name?: string;
  url?: string;
}

/**
 * JSON Feed 1.1. The library writes version 1, whose single `author` became `authors` (a list) in 1.1;
 * everything else it writes is the same in both.
 */
export function jsonFeed(spec: FeedSpec): string {
  const v1 = JSON.parse(buildFeed(spec, false).json1()) as Record<string, unknown> & {
    author?: JsonFeedAuthor;
    items?: (Record<string, unknown> & { author?: JsonFeedAuthor })[];
  };
  const { author, items = [], ...rest } = v1;
  return JSON.stringify({
    ...rest,
    version: 'https://jsonfeed.org/version/1.1',
    language: 'en',
    ...(author ? { authors: [author] } : {}),
    items: items.map(({ author: itemAuthor, ...item }) => ({
      ...item,
      ...(itemAuthor ? { authors: [itemAuthor] } : {}),
    })),
  });
}
