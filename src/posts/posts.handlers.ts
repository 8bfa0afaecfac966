import type { RequestHandler } from 'express';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { parseForm } from '../http/validate';
import type { Post, PostModel } from './post.model';
import { parsePage, postSchema } from './posts.schemas';

export const PAGE_SIZE = 10;

export interface PostsDeps {
  readonly posts: PostModel;
}

/** The fields the list page shows (the body for its excerpt); nothing else leaves the database. */
const LIST_FIELDS = { title: 1, authorName: 1, createdAt: 1, body: 1 } as const;

export function postsHandlers({ posts }: PostsDeps) {
  const list: RequestHandler = async (req, res) => {
    const page = parsePage(req.query.page);
    const [items, total] = await Promise.all([
      // Served by the { createdAt: -1, _id: -1 } index: no in-memory sort, and the posts skipped to reach a
      // deep page are passed over in the index without being read (test/perf checks both with explain).
      posts
        .find({}, LIST_FIELDS)
        .sort({ createdAt: -1, _id: -1 })
        .skip((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .lean(),
      // From the collection's metadata: O(1), where countDocuments() would read every post on every view.
      // Exact on a standalone or replica set; only after an unclean shutdown, or with orphaned documents on a
      // sharded cluster, can it be slightly off — and then only the page count is.
      posts.estimatedDocumentCount(),
    ]);
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (wantsJson(req)) {
      res.json({
        page,
        pageCount,
        posts: items.map((p) => ({ id: String(p._id), title: p.title, author: p.authorName, createdAt: p.createdAt })),
      });
      return;
    }
    res.render('posts/index', {
      title: page === 1 ? 'Latest posts' : `Posts — page ${page}`,
      posts: items,
      page,
      pageCount,
    });
  };

  const newForm: RequestHandler = (_req, res) => {
    res.render('posts/new', { title: 'New post' });
  };

  const create: RequestHandler = async (req, res) => {
    const input = parseForm(postSchema, req.body, { view: 'posts/new', locals: { title: 'New post' } });
    const user = req.session.user;
    if (!user) throw new Error('requireAuth must run before create');
    const post = await posts.create({ ...input, authorId: user.id, authorName: user.username });
    if (wantsJson(req)) {
      res.status(201).json({ post: { id: String(post._id), title: post.title } });
      return;
    }
    flash(req, 'success', 'Your post is published.');
    res.redirect(303, `/posts/${String(post._id)}`);
  };

  const show: RequestHandler = (req, res) => {
    const post = res.locals.post as Post & { _id: unknown };
    if (wantsJson(req)) {
      res.json({
        post: {
          id: String(post._id),
          title: post.title,
          body: post.body,
          author: post.authorName,
          createdAt: post.createdAt,
        },
      });
      return;
    }
    res.render('posts/show', { title: post.title, post });
  };

  return { list, newForm, create, show };
}
