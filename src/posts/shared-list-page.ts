import type { Request, Response } from 'express';
import { renderSharedFragment } from '../http/shared-fragment';
import { recentlyWrote, type SharedResults } from '../http/shared-results';
import { listSeo } from '../seo/seo';
import { zoneOrUtc } from '../time/time-zone';
import { zonedFormatters } from '../time/zoned-formatters';
import type { Page, PostSummary } from './post-queries';

/**
 * A public list page (the front page, a tag's page) for a signed-in reader: its query result, its document
 * head and its list with the footer are made once and shared by every signed-in view (kept with the shared
 * results, forgotten with the page cache); the view (posts/index.ejs, tags/show.ejs) renders only the
 * visitor's own header and messages between them. A reader who just wrote gets it all fresh, on whichever
 * process (read-your-writes, `wroteAt`); an anonymous one the same parts freshly made (their pages have the
 * page cache).
 *
 * The shared parts see only what is passed here (src/http/shared-fragment.ts): never the visitor's user, CSRF
 * token or flash. What does vary them — the page, the reader's time zone (dates), whether an empty page
 * invites them to write — is in their key.
 */

export interface ListPageSpec {
  /** Names the list, with its page: `posts 2`, `tag cookies 1`. */
  readonly key: string;
  readonly load: () => Promise<Page<PostSummary>>;
  /** The page's path without query, for its canonical URL. */
  readonly path: string;
  readonly page: number;
  readonly title: string;
  /** The page's own feed, linked from its head. */
  readonly feed?: { readonly href: string; readonly title: string };
  /** The list and the footer: a view that sees `posts`, `page`, `hasNext` and `locals`, nothing else. */
  readonly view: string;
  readonly locals?: Readonly<Record<string, unknown>>;
}

export interface SharedListParts {
  readonly head: string;
  readonly body: string;
}

export function sharedListPage(
  req: Request,
  res: Response,
  shared: SharedResults | undefined,
  at: number,
  spec: ListPageSpec,
): { results: () => Promise<Page<PostSummary>>; parts: () => Promise<SharedListParts> } {
  const user = req.session?.user;
  const sharing = shared && user && !recentlyWrote(req.session.wroteAt, at, shared.seconds) ? shared : undefined;
  const results = () => (sharing ? sharing.get(spec.key, spec.load) : spec.load());
  const zone = zoneOrUtc(user?.timeZone);
  const showWriteLink = user?.mayWrite !== false;
  // Public like the page: the site's name and description (site settings, whose change clears the caches).
  const { siteName, siteDescription } = res.locals as Record<string, unknown>;
  const render = async (): Promise<SharedListParts> => {
    const { items, hasNext } = await results();
    const head = { title: spec.title, siteName, seo: listSeo(res, spec.path, spec.page), feed: spec.feed };
    const [headHtml, body] = await Promise.all([
      renderSharedFragment(req.app, 'partials/document-head', head),
      renderSharedFragment(req.app, spec.view, {
        ...spec.locals,
        posts: items,
        page: spec.page,
        hasNext,
        showWriteLink,
        siteName,
        siteDescription,
        ...zonedFormatters(zone),
      }),
    ]);
    return { head: headHtml, body };
  };
  return {
    results,
    parts: () => (sharing ? sharing.get(`${spec.key} html ${zone} ${showWriteLink}`, render) : render()),
  };
}
