import { type RequestHandler, Router } from 'express';
import { publicLink } from '../http/links';
import { publicRoute } from '../http/route-access';

/**
 * issue 25: GET /subscribe — what a feed is and the addresses to paste into a feed reader, so following a
 * "Subscribe" link shows a page rather than raw XML. `?author=` or `?tag=` adds that page's own feed. Absolute
 * addresses from PUBLIC_URL, never from the request's Host.
 */
const USERNAME = /^[a-z0-9_-]{3,30}$/;
const TAG = /^[a-z0-9-]{1,30}$/;

export function subscribeRoutes(deps: { readonly publicUrl: string; readonly siteName: string }): Router {
  const router = Router();
  const show: RequestHandler = (req, res) => {
    const author = typeof req.query.author === 'string' && USERNAME.test(req.query.author) ? req.query.author : null;
    const tag = typeof req.query.tag === 'string' && TAG.test(req.query.tag) ? req.query.tag : null;
    const feeds = [
      ...(author
        ? [
            {
              id: 'author',
              label: `Posts by ${author} (Atom)`,
              url: publicLink(deps.publicUrl, `/users/${author}/feed.xml`),
            },
          ]
        : []),
      ...(tag
        ? [
            {
              id: 'tag',
              label: `Posts tagged #${tag} (Atom)`,
              url: publicLink(deps.publicUrl, `/tags/${tag}/feed.xml`),
            },
          ]
        : []),
      { id: 'atom', label: `Every post on ${deps.siteName} (Atom)`, url: publicLink(deps.publicUrl, '/feed.xml') },
      {
        id: 'json',
        label: `Every post on ${deps.siteName} (JSON Feed)`,
        url: publicLink(deps.publicUrl, '/feed.json'),
      },
    ];
    res.render('feeds/subscribe', { title: 'Subscribe', feeds });
  };
  router.get('/subscribe', [publicRoute], show);
  return router;
}
