import { type RequestHandler, Router } from 'express';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { publicRoute } from '../http/route-access';
import type { PostModel } from '../posts/post.model';
import type { UserModel } from '../users/user.model';
import { robotsTxt, sitemapEntries, sitemapXml } from './sitemap';

export interface SeoDeps {
  readonly config: Config;
  readonly posts: PostModel;
  readonly users: UserModel;
  readonly now: Clock;
}

/** GET /sitemap.xml and GET /robots.txt, every URL in them absolute from PUBLIC_URL. */
export function seoRoutes({ config, posts, users, now }: SeoDeps): Router {
  const robots = robotsTxt(config.publicUrl);

  const sitemap: RequestHandler = async (_req, res) => {
    const entries = await sitemapEntries({ posts, users }, config.publicUrl, new Date(now()));
    // Express adds an ETag from the bytes and answers a matching If-None-Match with 304.
    res.type('application/xml; charset=utf-8').set('Cache-Control', 'no-cache').send(sitemapXml(entries));
  };

  const router = Router();
  router.get('/sitemap.xml', [publicRoute], sitemap);
  const robotsFile: RequestHandler = (_req, res) => {
    res.type('text/plain; charset=utf-8').set('Cache-Control', 'public, max-age=3600').send(robots);
  };
  router.get('/robots.txt', [publicRoute], robotsFile);
  return router;
}
