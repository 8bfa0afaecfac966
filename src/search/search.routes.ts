import { type RequestHandler, Router } from 'express';
import type { Clock } from '../clock';
import { BadRequestError } from '../http/errors';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import type { PostModel } from '../posts/post.model';
import { searchPublished } from '../posts/post-queries';
import { summaryJson } from '../posts/posts.handlers';
import { parsePage } from '../posts/posts.schemas';

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
    const found = q ? await searchPublished(posts, q, new Date(now()), page) : null;
    respond(req, res, {
      json: () => ({ q, page, hasNext: found?.hasNext ?? false, posts: (found?.items ?? []).map(summaryJson) }),
      html: {
        view: 'search/index',
        locals: {
          title: q ? `Search: ${q}` : 'Search',
          q,
          results: found?.items ?? null,
          page,
          hasNext: found?.hasNext ?? false,
          values: { q },
          basePath: `/search?q=${encodeURIComponent(q)}`,
        },
      },
    });
  };

  const router = Router();
  router.get('/', [publicRoute], search);
  return router;
}
