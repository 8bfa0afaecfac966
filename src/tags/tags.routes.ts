import { type RequestHandler, Router } from 'express';
import type { Clock } from '../clock';
import { NotFoundError } from '../http/errors';
import { wantsJson } from '../http/negotiate';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import type { SharedResults } from '../http/shared-results';
import type { PostModel } from '../posts/post.model';
import { listPublished } from '../posts/post-queries';
import { NO_PAGE, NO_PARTS, summaryJson } from '../posts/posts.handlers';
import { parsePage } from '../posts/posts.schemas';
import { sharedListPage } from '../posts/shared-list-page';
import { slugifyTag, TAG_PATTERN } from '../posts/tags';

export interface TagsDeps {
  readonly posts: PostModel;
  readonly now: Clock;
  /** Shared by every signed-in reader's view of a tag's page, like the front page (posts/shared-list-page.ts). */
  readonly sharedResults?: SharedResults;
}

/** `/tags/:tag`: published posts with that tag, newest first, paged like the front page. */
export function tagsRoutes({ posts, now, sharedResults }: TagsDeps): Router {
  const show: RequestHandler = async (req, res) => {
    const tag = String(req.params.tag);
    if (!TAG_PATTERN.test(tag)) {
      // `/tags/Node.js` → `/tags/node-js`: the address people type, sent to the one the tag has.
      const slug = slugifyTag(tag.slice(0, 100));
      if (TAG_PATTERN.test(slug)) {
        res.redirect(301, `/tags/${slug}`);
        return;
      }
      throw new NotFoundError('No such tag');
    }
    const page = parsePage(req.query.page);
    const at = now();
    const title = `Posts tagged ${tag}`;
    const basePath = `/tags/${tag}`;
    const listPage = sharedListPage(req, res, sharedResults, at, {
      key: `tag ${tag} ${page}`,
      load: () => listPublished(posts, new Date(at), page, { tags: tag }),
      path: basePath,
      page,
      title,
      feed: { href: `/tags/${tag}/feed.xml`, title },
      view: 'tags/list',
      locals: { tag, basePath },
    });
    // A page needs the rendered parts, a JSON client the results: each is fetched (or made) only for its own.
    const forJson = wantsJson(req);
    const parts = forJson ? NO_PARTS : await listPage.parts();
    const { items, hasNext } = forJson ? await listPage.results() : NO_PAGE;
    respond(req, res, {
      json: () => ({ tag, page, hasNext, posts: items.map(summaryJson) }),
      html: { view: 'tags/show', locals: { title, parts } },
    });
  };

  const router = Router();
  router.get('/:tag', [publicRoute], show);
  return router;
}
