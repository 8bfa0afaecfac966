import { type RequestHandler, type Response, Router } from 'express';
import { findAuthor } from '../authors/authors.routes';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { NotFoundError } from '../http/errors';
import { publicRoute } from '../http/route-access';
import type { PostModel } from '../posts/post.model';
import { latestForFeed } from '../posts/post-queries';
import { TAG_PATTERN } from '../posts/tags';
import type { UserModel } from '../users/user.model';
import { atomFeed, type FeedSpec, jsonFeed } from './feeds';

export interface FeedsDeps {
  readonly config: Config;
  readonly posts: PostModel;
  readonly users: UserModel;
  readonly now: Clock;
  /** The fallback; the site title setting, when the request has it (res.locals.siteName), wins. */
  readonly siteName: string;
}

const ATOM = 'application/atom+xml; charset=utf-8';
const JSON_FEED = 'application/feed+json; charset=utf-8';

/**
 * Atom 1.0 and JSON Feed 1.1 of the latest published posts: the whole site, one author, one tag. Express
 * gives each an ETag from its bytes and answers 304 to a matching If-None-Match; the page cache keeps them.
 */
export function feedsRoutes({ config, posts, users, now, siteName }: FeedsDeps): Router {
  const spec = (rest: Omit<FeedSpec, 'publicUrl' | 'siteName'>, res: Response): FeedSpec => ({
    publicUrl: config.publicUrl,
    siteName: nameOf(res),
    description: res.locals.siteDescription as string | undefined,
    ...rest,
  });
  const nameOf = (res: Response): string => (res.locals.siteName as string | undefined) ?? siteName;

  const site =
    (format: 'atom' | 'json'): RequestHandler =>
    async (_req, res) => {
      const found = await latestForFeed(posts, new Date(now()));
      const s = spec(
        {
          title: nameOf(res),
          pagePath: '/posts',
          feedPath: '/feed.xml',
          jsonPath: '/feed.json',
          posts: found,
        },
        res,
      );
      if (format === 'atom') res.type(ATOM).send(atomFeed(s));
      else res.type(JSON_FEED).send(jsonFeed(s));
    };

  const byAuthor: RequestHandler = async (req, res) => {
    const author = await findAuthor(users, req.params.username);
    const found = await latestForFeed(posts, new Date(now()), { authorId: author._id });
    const s = spec(
      {
        title: `Posts by ${author.username} · ${nameOf(res)}`,
        pagePath: `/users/${author.username}`,
        feedPath: `/users/${author.username}/feed.xml`,
        posts: found,
      },
      res,
    );
    res.type(ATOM).send(atomFeed(s));
  };

  const byTag: RequestHandler = async (req, res) => {
    const tag = String(req.params.tag);
    if (!TAG_PATTERN.test(tag)) throw new NotFoundError('No such tag');
    const found = await latestForFeed(posts, new Date(now()), { tags: tag });
    const s = spec(
      {
        title: `Posts tagged ${tag} · ${nameOf(res)}`,
        pagePath: `/tags/${tag}`,
        feedPath: `/tags/${tag}/feed.xml`,
        posts: found,
      },
      res,
    );
    res.type(ATOM).send(atomFeed(s));
  };

  const router = Router();
  router.get('/feed.xml', [publicRoute], site('atom'));
  router.get('/feed.json', [publicRoute], site('json'));
  router.get('/users/:username/feed.xml', [publicRoute], byAuthor);
  router.get('/tags/:tag/feed.xml', [publicRoute], byTag);
  return router;
}
