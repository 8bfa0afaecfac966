import type { RequestHandler } from 'express';
import type { Clock } from '../clock';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { respond } from '../http/respond';
import { parseForm } from '../http/validate';
import { currentUser } from '../session/current-user';
import type { CommentModel } from './comments/comment.model';
import { loadedPost } from './loaded-post';
import type { PostModel } from './post.model';
import { isPublic, listPublished, type PostSummary, unpublishedOf } from './post-queries';
import { parsePage, postSchema } from './posts.schemas';

export { PAGE_SIZE } from './post-queries';

export interface PostsDeps {
  readonly posts: PostModel;
  readonly comments: CommentModel;
  readonly now: Clock;
}

/** The JSON shape of a post in a list. */
export function summaryJson(p: PostSummary) {
  return {
    id: String(p._id),
    title: p.title,
    author: p.authorName,
    createdAt: p.createdAt,
    publishedAt: p.publishedAt,
    tags: p.tags ?? [],
    commentCount: p.commentCount ?? 0,
  };
}

export function postsHandlers({ posts, comments, now }: PostsDeps) {
  const list: RequestHandler = async (req, res) => {
    const page = parsePage(req.query.page);
    const { items, hasNext } = await listPublished(posts, new Date(now()), page);
    respond(req, res, {
      json: () => ({ page, hasNext, posts: items.map(summaryJson) }),
      html: {
        view: 'posts/index',
        locals: {
          title: page === 1 ? 'Latest posts' : `Posts — page ${page}`,
          posts: items,
          page,
          hasNext,
        },
      },
    });
  };

  const newForm: RequestHandler = (_req, res) => {
    res.render('posts/new', { title: 'New post' });
  };

  const create: RequestHandler = async (req, res) => {
    const at = new Date(now());
    const input = parseForm(postSchema(at), req.body, { view: 'posts/new', locals: { title: 'New post' } });
    const user = currentUser(req);
    const post = await posts.create({
      title: input.title,
      body: input.body,
      tags: input.tags,
      status: input.status,
      publishedAt: input.status === 'published' ? (input.publishAt ?? at) : undefined,
      authorId: user.id,
      authorName: user.username,
    });
    if (wantsJson(req)) {
      res.status(201).json({ post: { id: String(post._id), title: post.title, status: post.status } });
      return;
    }
    flash(req, 'success', publishedMessage(post.status, post.publishedAt, at));
    res.redirect(303, `/posts/${String(post._id)}`);
  };

  /** Public posts to anyone; a draft or a post not yet due to its author only (404 for everyone else). */
  const show: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    const at = new Date(now());
    const isAuthor = String(post.authorId) === req.session.user?.id;
    if (!isAuthor && !isPublic(post, at)) throw new NotFoundError('No such post');
    const thread = await comments
      .find({ postId: post._id }, { authorId: 1, authorName: 1, bodyHtml: 1, body: 1, createdAt: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .limit(1_000)
      .lean();
    respond(req, res, {
      json: () => ({
        post: {
          id: String(post._id),
          title: post.title,
          body: post.body,
          author: post.authorName,
          createdAt: post.createdAt,
          publishedAt: post.publishedAt,
          status: post.status,
          tags: post.tags ?? [],
          comments: thread.map((c) => ({
            id: String(c._id),
            author: c.authorName,
            body: c.body,
            createdAt: c.createdAt,
          })),
        },
      }),
      html: { view: 'posts/show', locals: { title: post.title, post, comments: thread, isPublic: isPublic(post, at) } },
    });
  };

  /** The signed-in author's drafts and scheduled posts. */
  const drafts: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const at = new Date(now());
    const items = await unpublishedOf(posts, user.id, at);
    respond(req, res, {
      json: () => ({ posts: items.map((p) => ({ ...summaryJson(p), status: p.status })) }),
      html: { view: 'posts/drafts', locals: { title: 'Drafts and scheduled posts', posts: items } },
    });
  };

  return { list, newForm, create, show, drafts };
}

/** The flash message after saving: what happened to the post's visibility. */
export function publishedMessage(status: string, publishedAt: Date | null | undefined, at: Date): string {
  if (status === 'draft') return 'Your draft is saved. Only you can see it.';
  if (publishedAt && publishedAt.getTime() > at.getTime())
    return `Your post is scheduled for ${utcMinute(publishedAt)}.`;
  return 'Your post is published.';
}

/** "2030-01-31 09:00 UTC": scheduling is to the minute, and times are entered in UTC. */
export function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
