import { type RequestHandler, Router } from 'express';
import type { Clock } from '../clock';
import { BadRequestError } from '../http/errors';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import type { PostModel } from '../posts/post.model';
import { publishedFilter, searchPublished } from '../posts/post-queries';
import { summaryJson } from '../posts/posts.handlers';
import { parsePage } from '../posts/posts.schemas';
import { highlight, searchTerms } from './highlight';

export const QUERY_MAX = 100;

export interface SearchDeps {
  readonly posts: PostModel;
  readonly now: Clock;
}

/**
 * `/search?q=`: published posts by MongoDB's text index (title words weigh most, then tags, then body),
 * best match first, paged. An empty query shows the form; a query longer than QUERY_MAX characters is
 * refused (400) before it reaches MongoDB, and so is anything that is not one string (`q[]=…`).
 */
export function searchRoutes({ posts, now }: SearchDeps): Router {
  const search: RequestHandler = async (req, res) => {
    const raw = req.query.q ?? '';
    if (typeof raw !== 'string') throw new BadRequestError('Search for one piece of text');
    const q = raw.trim();
    const page = parsePage(req.query.page);
    if (q.length > QUERY_MAX) {
      const message = `Keep the search to ${QUERY_MAX} characters`;
      respond(req, res, {
        status: 400,
        json: () => ({ error: message, fields: { q: message } }),
        html: {
          view: 'search/index',
          locals: {
            title: 'Search',
            q: '',
            results: null,
            page: 1,
            hasNext: false,
            values: { q: q.slice(0, QUERY_MAX) },
            errors: { q: message },
          },
        },
      });
      return;
    }
    const at = new Date(now());
    // issue 25: how many match in all (the same filter as the list, counted by the text index).
    const [found, total] = q
      ? await Promise.all([
          searchPublished(posts, q, at, page),
          posts.countDocuments(publishedFilter(at, { $text: { $search: q } })),
        ])
      : [null, 0];
    respond(req, res, {
      json: () => ({ q, page, total, hasNext: found?.hasNext ?? false, posts: (found?.items ?? []).map(summaryJson) }),
      html: {
        view: 'search/index',
        locals: {
          title: q ? `Search: ${q}` : 'Search',
          q,
          results: found?.items ?? null,
          total,
          page,
          hasNext: found?.hasNext ?? false,
          values: { q },
          // The excerpts with the searched words marked (escaped first: src/search/highlight.ts).
          marked: (text: string) => highlight(text, searchTerms(q)),
          basePath: `/search?q=${encodeURIComponent(q)}`,
        },
      },
    });
  };

  const router = Router();
  router.get('/', [publicRoute], search);
  return router;
}
