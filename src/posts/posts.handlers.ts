import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Clock } from '../clock';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { respond } from '../http/respond';
import type { SharedResults } from '../http/shared-results';
import { parseForm } from '../http/validate';
import { maybeActor } from '../roles/actor';
import { can } from '../roles/permissions';
import { postSeo } from '../seo/seo';
import { currentUser } from '../session/current-user';
import { formatDateTimeIn, zoneOrUtc } from '../time/time-zone';
import type { CommentModel } from './comments/comment.model';
import { visibleComments } from './comments/visible-comments';
import { loadedPost } from './loaded-post';
import { type PostModel, renderedFields } from './post.model';
import { type PostImages, picturesFor } from './post-images';
import { isPublic, listPublished, type Page, type PostSummary, unpublishedOf } from './post-queries';
import { allowedStatus, HELD_AS_DRAFT } from './post-status';
import { parsePage, postSchema } from './posts.schemas';
import { type SharedListParts, sharedListPage } from './shared-list-page';

export { PAGE_SIZE } from './post-queries';

export interface PostsDeps {
  readonly posts: PostModel;
  readonly comments: CommentModel;
  readonly now: Clock;
  /** Uploaded pictures (src/images); without it posts render them without sizes and take no cover. */
  readonly images?: PostImages;
  /** The public list's query results, shared by every visitor's view (src/http/shared-results.ts). */
  readonly shared?: SharedResults;
}

/** What a JSON client's answer leaves out of a list page, and a page's answer of the results. */
export const NO_PARTS: SharedListParts = { head: '', body: '' };
export const NO_PAGE: Page<PostSummary> = { items: [], hasNext: false };

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

export function postsHandlers({ posts, comments, now, images, shared }: PostsDeps) {
  const list: RequestHandler = async (req, res) => {
    const page = parsePage(req.query.page);
    const at = now();
    const title = page === 1 ? 'Latest posts' : `Posts — page ${page}`;
    // The list is the same for everyone: one query and one rendering serve every signed-in view, which then
    // costs its session read and the render of its own header (posts/shared-list-page.ts).
    const listPage = sharedListPage(req, res, shared, at, {
      key: `posts ${page}`,
      load: () => listPublished(posts, new Date(at), page),
      path: '/posts',
      page,
      title,
      view: 'posts/list',
    });
    // A page needs the rendered parts, a JSON client the results: each is fetched (or made) only for its own.
    const forJson = wantsJson(req);
    const parts = forJson ? NO_PARTS : await listPage.parts();
    const { items, hasNext } = forJson ? await listPage.results() : NO_PAGE;
    respond(req, res, {
      json: () => ({ page, hasNext, posts: items.map(summaryJson) }),
      html: { view: 'posts/index', locals: { title, parts } },
    });
  };

  const newForm: RequestHandler = (_req, res) => {
    // issue 25: the page's autosave key (a draft saved from this page is one draft, however many saves).
    res.render('posts/new', { title: 'New post', draftKey: randomUUID() });
  };

  const create: RequestHandler = async (req, res) => {
    const at = new Date(now());
    const zone = zoneOrUtc(req.session.user?.timeZone);
    const input = parseForm(postSchema(at, zone), req.body, { view: 'posts/new', locals: { title: 'New post' } });
    const user = req.session.user;
    if (!user) throw new Error('isAuthenticated must run before create');
    const { status, heldAsDraft } = allowedStatus(res, input.status);
    const pictures = await picturesFor(images, user.id, input.body, input.coverImage, {
      view: 'posts/new',
      locals: { title: 'New post' },
      values: req.body as Record<string, unknown>,
    });
    const post = await posts.create({
      title: input.title,
      body: input.body,
      ...renderedFields(input.body, pictures.lookup),
      ...pictures.cover,
      tags: input.tags,
      status,
      publishedAt: status === 'published' ? (input.publishAt ?? at) : undefined,
      authorId: user.id,
      authorName: user.username,
    });
    respond(req, res, {
      status: 201,
      json: () => ({
        post: { id: String(post._id), title: post.title, status: post.status },
        ...(heldAsDraft ? { message: HELD_AS_DRAFT } : {}),
      }),
      html: () => {
        flash(
          req,
          heldAsDraft ? 'info' : 'success',
          heldAsDraft ? HELD_AS_DRAFT : publishedMessage(post.status, post.publishedAt, at, zone),
        );
        res.redirect(303, `/posts/${String(post._id)}`);
      },
    });
  };

  /** Public posts to anyone; a draft or a post not yet due to its author only (404 for everyone else). */
  const show: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    const at = new Date(now());
    const actor = maybeActor(res);
    const isAuthor =
      String(post.authorId) === req.session.user?.id || (actor !== undefined && can(actor.role, 'post.edit-any'));
    if (!isAuthor && !isPublic(post, at)) throw new NotFoundError('No such post');
    const thread = await comments
      .find(visibleComments(post._id, req.session.user?.id), {
        authorId: 1,
        authorName: 1,
        bodyHtml: 1,
        body: 1,
        createdAt: 1,
        moderation: 1,
      })
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
            // Only the comment's own author is shown a held or hidden comment (visibleComments).
            ...(c.moderation ? { moderation: c.moderation } : {}),
          })),
        },
      }),
      html: {
        view: 'posts/show',
        locals: {
          title: post.title,
          post,
          comments: thread,
          isPublic: isPublic(post, at),
          staffEdits: actor !== undefined && can(actor.role, 'post.edit-any'),
          seo: postSeo(res, post),
        },
      },
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

/** The flash message after saving: what happened to the post's visibility, in the writer's zone. */
export function publishedMessage(status: string, publishedAt: Date | null | undefined, at: Date, zone = 'UTC'): string {
  if (status === 'draft') return 'Your draft is saved. Only you can see it.';
  if (publishedAt && publishedAt.getTime() > at.getTime())
    return `Your post is scheduled for ${formatDateTimeIn(publishedAt, zone)}.`;
  return 'Your post is published.';
}
