import { type RequestHandler, Router } from 'express';
import type { Clock } from '../clock';
import { NotFoundError } from '../http/errors';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import type { PostModel } from '../posts/post.model';
import { countPublished, listPublished, PAGE_SIZE } from '../posts/post-queries';
import { parsePage } from '../posts/posts.schemas';
import type { UserModel } from '../users/user.model';

export interface UsersDeps {
  readonly users: UserModel;
  readonly posts: PostModel;
  readonly now: Clock;
}

export const USERNAME_PATTERN = /^[a-z0-9_-]{3,30}$/;

/** The author a `:username` names, or a 404. */
export async function findAuthor(users: UserModel, raw: unknown) {
  const username = String(raw).toLowerCase();
  if (!USERNAME_PATTERN.test(username)) throw new NotFoundError('No such author');
  // A closed account (scheduled for deletion) has no author page or feed.
  const author = await users.findOne({ username, deletedAt: { $exists: false } }, { username: 1, createdAt: 1 }).lean();
  if (!author) throw new NotFoundError('No such author');
  return author;
}

/** An author's page: their published posts, newest first, paginated like the front page. */
export function usersRoutes({ users, posts, now }: UsersDeps): Router {
  const show: RequestHandler = async (req, res) => {
    const author = await findAuthor(users, req.params.username);
    const page = parsePage(req.query.page);
    const at = new Date(now());
    const [{ items }, total] = await Promise.all([
      listPublished(posts, at, page, { authorId: author._id }),
      countPublished(posts, at, { authorId: author._id }),
    ]);
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    respond(req, res, {
      json: () => ({
        author: author.username,
        page,
        pageCount,
        posts: items.map((p) => ({ id: String(p._id), title: p.title })),
      }),
      html: {
        view: 'users/show',
        locals: {
          title: `Posts by ${author.username}`,
          author,
          posts: items,
          total,
          page,
          pageCount,
          basePath: `/users/${author.username}`,
          feed: { href: `/users/${author.username}/feed.xml`, title: `Posts by ${author.username}` },
        },
      },
    });
  };

  const router = Router();
  router.get('/:username', [publicRoute], show);
  return router;
}
