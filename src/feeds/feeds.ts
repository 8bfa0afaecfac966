import { Feed } from 'feed';
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
    feed.addItem({
      id: url,
      link: url,
      title: asText(post.title),
      date: post.editedAt ?? post.publishedAt ?? post.createdAt,
      published: post.publishedAt ?? post.createdAt,
      description: asText(post.excerpt),
      content: post.bodyHtml,
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
