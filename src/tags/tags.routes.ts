import { type RequestHandler, Router } from 'express';
import type { Clock } from '../clock';
import { NotFoundError } from '../http/errors';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import type { PostModel } from '../posts/post.model';
import { listPublished } from '../posts/post-queries';
import { summaryJson } from '../posts/posts.handlers';
import { parsePage } from '../posts/posts.schemas';
import { slugifyTag, TAG_PATTERN } from '../posts/tags';

export interface TagsDeps {
  readonly posts: PostModel;
  readonly now: Clock;
}

/** `/tags/:tag`: published posts with that tag, newest first, paged like the front page. */
export function tagsRoutes({ posts, now }: TagsDeps): Router {
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
    const { items, hasNext } = await listPublished(posts, new Date(now()), page, { tags: tag });
    respond(req, res, {
      json: () => ({ tag, page, hasNext, posts: items.map(summaryJson) }),
      html: {
        view: 'tags/show',
        locals: {
          title: `Posts tagged ${tag}`,
          tag,
          posts: items,
          page,
          hasNext,
          basePath: `/tags/${tag}`,
          feed: { href: `/tags/${tag}/feed.xml`, title: `Posts tagged ${tag}` },
        },
      },
    });
  };

  const router = Router();
  router.get('/:tag', [publicRoute], show);
  return router;
}
