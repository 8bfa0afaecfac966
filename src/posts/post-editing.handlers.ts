import type { RequestHandler } from 'express';
import type { Clock } from '../clock';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { respond } from '../http/respond';
import { parseForm } from '../http/validate';
import { zoneOrUtc } from '../time/time-zone';
import type { CommentModel } from './comments/comment.model';
import { type LoadedPost, loadedPost } from './loaded-post';
import { type PostModel, renderedFields } from './post.model';
import { type PostImages, picturesFor } from './post-images';
import { isPublic } from './post-queries';
import { allowedStatus, HELD_AS_DRAFT } from './post-status';
import { publishedMessage } from './posts.handlers';
import { datetimeLocal, postSchema } from './posts.schemas';

export interface PostEditingDeps {
  readonly posts: PostModel;
  readonly comments: CommentModel;
  readonly now: Clock;
  readonly images?: PostImages;
}

/** The edit form's fields as the post has them; the publish time only while the post is scheduled. */
function formValues(post: LoadedPost, at: Date, zone: string) {
  const scheduled = post.status === 'published' && post.publishedAt && post.publishedAt.getTime() > at.getTime();
  return {
    title: post.title,
    body: post.body,
    tags: (post.tags ?? []).join(', '),
    coverImage: post.coverImage ? `/images/${post.coverImage}` : '',
    publishAt: scheduled ? datetimeLocal(post.publishedAt, zone) : '',
  };
}

/**
 * Edit and delete, for the author only (guards in posts.routes.ts). Each write is one atomic, conditional
 * operation on the post as it is in MongoDB now — never a document loaded earlier and saved back — so an
 * edit racing a delete either lands before it (and is deleted with the post) or finds nothing and answers
 * 404: never a 5xx, never a post brought back or half-updated.
 */
export function postEditingHandlers({ posts, comments, now, images }: PostEditingDeps) {
  const editForm: RequestHandler = (req, res) => {
    const post = loadedPost(res);
    res.render('posts/edit', {
      title: `Edit “${post.title}”`,
      post,
      values: formValues(post, new Date(now()), zoneOrUtc(req.session.user?.timeZone)),
    });
  };

  const update: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    const at = new Date(now());
    const zone = zoneOrUtc(req.session.user?.timeZone);
    const input = parseForm(postSchema(at, zone), req.body, {
      view: 'posts/edit',
      locals: { title: `Edit “${post.title}”`, post },
    });
    const { status, heldAsDraft } = allowedStatus(res, input.status);
    // Publishing keeps the time of a post that is already public; a draft or scheduled post goes out now.
    const pictures = await picturesFor(images, String(post.authorId), input.body, input.coverImage, {
      view: 'posts/edit',
      locals: { title: `Edit “${post.title}”`, post },
      values: req.body as Record<string, unknown>,
    });
    const publishedAt =
      status === 'draft' ? undefined : (input.publishAt ?? (isPublic(post, at) ? post.publishedAt : at));
    const updated = await posts
      .findOneAndUpdate(
        { _id: post._id, authorId: post.authorId },
        {
          $set: {
            title: input.title,
            body: input.body,
            tags: input.tags,
            status,
            editedAt: at,
            ...renderedFields(input.body, pictures.lookup),
            ...pictures.cover,
            ...(publishedAt ? { publishedAt } : {}),
          },
          ...(publishedAt && pictures.cover
            ? {}
            : {
                $unset: {
                  ...(publishedAt ? {} : { publishedAt: 1 }),
                  ...(pictures.cover ? {} : { coverImage: 1, cover: 1 }),
                },
              }),
        },
        { returnDocument: 'after', projection: { _id: 1, title: 1, status: 1, publishedAt: 1 }, runValidators: true },
      )
      .lean();
    if (!updated) throw new NotFoundError('This post has just been deleted');
    req.log.info(
      { event: 'post_updated', postId: String(post._id), username: req.session.user?.username },
      'post updated',
    );
    respond(req, res, {
      json: () => ({
        post: { id: String(updated._id), title: updated.title, status: updated.status },
        ...(heldAsDraft ? { message: HELD_AS_DRAFT } : {}),
      }),
      html: () => {
        const saved = heldAsDraft ? HELD_AS_DRAFT : publishedMessage(updated.status, updated.publishedAt, at, zone);
        flash(req, heldAsDraft ? 'info' : 'success', `Your changes are saved. ${saved}`);
        res.redirect(303, `/posts/${String(updated._id)}`);
      },
    });
  };

  /** A confirmation page, so deleting works without JavaScript and never happens on one stray click. */
  const confirmDelete: RequestHandler = (_req, res) => {
    const post = loadedPost(res);
    res.render('posts/delete', { title: `Delete “${post.title}”?`, post });
  };

  const destroy: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    const { deletedCount } = await posts.deleteOne({ _id: post._id, authorId: post.authorId });
    // Lost a race with another delete: the post is gone either way, but this request did not do it.
    if (deletedCount === 0) throw new NotFoundError('This post has already been deleted');
    // Its comments go with it (a comment that lands meanwhile removes itself: comments.handlers.ts).
    await comments.deleteMany({ postId: post._id });
    req.log.info(
      { event: 'post_deleted', postId: String(post._id), username: req.session.user?.username },
      'post deleted',
    );
    respond(req, res, {
      json: () => ({ message: 'Deleted' }),
      html: () => {
        flash(req, 'success', `“${post.title}” has been deleted.`);
        res.redirect(303, '/posts');
      },
    });
  };

  return { editForm, update, confirmDelete, destroy };
}
