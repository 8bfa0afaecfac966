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

/** The fields a post summary shows: stored excerpt and reading time, never the body. */
export const LIST_FIELDS = { title: 1, authorName: 1, createdAt: 1, excerpt: 1, readingMinutes: 1 } as const;

/**
 * The list page's one query. Served by the { createdAt: -1, _id: -1 } index: no in-memory sort, and the posts
 * skipped to reach a deep page are passed over in the index without being read (test/perf checks both with
 * explain). One post more than a page is asked for, to know whether an older page exists — so the page needs
 * no count at all: a signed-in view costs the session read, the page-view counter and this query.
 */
export function listQuery(posts: PostModel, page: number) {
  return posts
    .find({}, LIST_FIELDS)
    .sort({ createdAt: -1, _id: -1 })
    .skip((page - 1) * PAGE_SIZE)
    .limit(PAGE_SIZE + 1)
    .lean();
}

export function postsHandlers({ posts }: PostsDeps) {
  const list: RequestHandler = async (req, res) => {
    const page = parsePage(req.query.page);
    const found = await listQuery(posts, page);
    const hasNext = found.length > PAGE_SIZE;
    const items = found.slice(0, PAGE_SIZE);
    if (wantsJson(req)) {
      res.json({
        page,
        hasNext,
        posts: items.map((p) => ({ id: String(p._id), title: p.title, author: p.authorName, createdAt: p.createdAt })),
      });
      return;
    }
    res.render('posts/index', {
      title: page === 1 ? 'Latest posts' : `Posts — page ${page}`,
      posts: items,
      page,
      hasNext,
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
