import { type RequestHandler, Router } from 'express';
import type { UserModel } from '../auth/user.model';
import { NotFoundError } from '../http/errors';
import { wantsJson } from '../http/negotiate';
import type { PostModel } from '../posts/post.model';
import { PAGE_SIZE } from '../posts/posts.handlers';
import { parsePage } from '../posts/posts.schemas';

export interface UsersDeps {
  readonly users: UserModel;
  readonly posts: PostModel;
}

const LIST_FIELDS = { title: 1, authorName: 1, createdAt: 1, excerpt: 1, readingMinutes: 1 } as const;

/** An author's page: their posts, newest first, paginated like the front page. */
export function usersRoutes({ users, posts }: UsersDeps): Router {
  const show: RequestHandler = async (req, res) => {
    const username = String(req.params.username).toLowerCase();
    if (!/^[a-z0-9_-]{3,30}$/.test(username)) throw new NotFoundError('No such author');
    const author = await users.findOne({ username }, { username: 1, createdAt: 1 }).lean();
    if (!author) throw new NotFoundError('No such author');
    const page = parsePage(req.query.page);
    const [items, total] = await Promise.all([
      posts
        .find({ authorId: author._id }, LIST_FIELDS)
        .sort({ createdAt: -1, _id: -1 })
        .skip((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .lean(),
      posts.countDocuments({ authorId: author._id }),
    ]);
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (wantsJson(req)) {
      res.json({
        author: author.username,
        page,
        pageCount,
        posts: items.map((p) => ({ id: String(p._id), title: p.title })),
      });
      return;
    }
    res.render('users/show', {
      title: `Posts by ${author.username}`,
      author,
      posts: items,
      total,
      page,
      pageCount,
      basePath: `/users/${author.username}`,
    });
  };

  const router = Router();
  router.get('/:username', show);
  return router;
}
