import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isValidObjectId, type Types } from 'mongoose';
import { z } from 'zod';
import type { Clock } from '../../clock';
import { ForbiddenError, FormError, NotFoundError } from '../../http/errors';
import { flash } from '../../http/flash';
import { respond } from '../../http/respond';
import { parseForm } from '../../http/validate';
import { loadedPost } from '../loaded-post';
import type { PostModel } from '../post.model';
import { isPublic, publishedFilter } from '../post-queries';
import { COMMENT_MAX, type CommentModel } from './comment.model';
import { COMMENT_HELD, type CommentPolicy } from './comment-policy';

export interface CommentsDeps {
  readonly posts: PostModel;
  readonly comments: CommentModel;
  readonly now: Clock;
  /** Comments open, held or off (site settings, src/moderation/comment-policy.ts); absent: always shown. */
  readonly commentPolicy?: CommentPolicy;
}

const commentSchema = z.object({
  body: z
    .string({ error: 'Write a comment' })
    .trim()
    .min(1, 'Write a comment')
    .max(COMMENT_MAX, `Keep the comment to ${COMMENT_MAX.toLocaleString('en')} characters`),
});

interface LoadedComment {
  _id: Types.ObjectId;
  postId: Types.ObjectId;
  authorId: Types.ObjectId;
  moderation?: string | null;
}

/** `router.param('commentId', …)`: the comment, which must belong to the post in the same URL. */
export function loadComment(comments: CommentModel) {
  return async (_req: Request, res: Response, next: NextFunction, id: unknown): Promise<void> => {
    if (typeof id !== 'string' || !/^[a-f0-9]{24}$/i.test(id) || !isValidObjectId(id))
      throw new NotFoundError('No such comment');
    const comment = await comments.findById(id, { postId: 1, authorId: 1, moderation: 1 }).lean();
    if (!comment) throw new NotFoundError('No such comment');
    res.locals.comment = comment;
    next();
  };
}

export function commentsHandlers({ posts, comments, now, commentPolicy }: CommentsDeps) {
  /** Comments go on public posts only. The count is raised first, on a post that must still be public. */
  const create: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    const at = new Date(now());
    if (!isPublic(post, at)) throw new NotFoundError('No such post');
    const user = req.session.user;
    if (!user) throw new Error('isAuthenticated must run before commenting');
    const state = commentPolicy ? await commentPolicy(res, user.id) : 'shown';
    let input: z.output<typeof commentSchema>;
    try {
      input = parseForm(commentSchema, req.body, { view: 'posts/show' });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      // The post page, re-rendered with the thread and the comment kept in its box.
      const thread = await comments.find({ postId: post._id }).sort({ createdAt: 1, _id: 1 }).limit(1_000).lean();
      throw new FormError(
        422,
        'posts/show',
        { title: post.title, post, comments: thread, isPublic: true },
        err.fieldErrors,
        err.values,
      );
    }
    // A held comment is counted when it is approved (src/moderation).
    const counted =
      state === 'held'
        ? { matchedCount: (await posts.exists({ _id: post._id, ...publishedFilter(at) })) ? 1 : 0 }
        : await posts.updateOne({ _id: post._id, ...publishedFilter(at) }, { $inc: { commentCount: 1 } });
    if (counted.matchedCount === 0) throw new NotFoundError('This post has just been deleted');
    const comment = await comments.create({
      postId: post._id,
      authorId: user.id,
      authorName: user.username,
      body: input.body,
      ...(state === 'held' ? { moderation: 'held' as const } : {}),
    });
    // The post may have been deleted between the count and the insert; its comments went before this one
    // existed, so this one removes itself rather than linger under no post.
    if (!(await posts.exists({ _id: post._id }))) {
      await comments.deleteOne({ _id: comment._id });
      throw new NotFoundError('This post has just been deleted');
    }
    respond(req, res, {
      status: 201,
      json: () => ({
        comment: { id: String(comment._id), body: comment.body, author: comment.authorName },
        ...(state === 'held' ? { held: true, message: COMMENT_HELD } : {}),
      }),
      html: () => {
        flash(req, state === 'held' ? 'info' : 'success', state === 'held' ? COMMENT_HELD : 'Your comment is posted.');
        res.redirect(303, `/posts/${String(post._id)}#comment-${String(comment._id)}`);
      },
    });
  };

  /** By the comment's author or the post's author; anyone else: 403. */
  const destroy: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    const comment = res.locals.comment as LoadedComment | undefined;
    if (!comment || String(comment.postId) !== String(post._id)) throw new NotFoundError('No such comment');
    const userId = req.session.user?.id;
    if (userId !== String(comment.authorId) && userId !== String(post.authorId)) {
      throw new ForbiddenError('Only the comment’s author or the post’s author can delete it');
    }
    const { deletedCount } = await comments.deleteOne({ _id: comment._id, postId: post._id });
    if (deletedCount === 0) throw new NotFoundError('This comment has already been deleted');
    // Held and hidden comments were never in the count.
    if (!comment.moderation) {
      await posts.updateOne({ _id: post._id, commentCount: { $gt: 0 } }, { $inc: { commentCount: -1 } });
    }
    respond(req, res, {
      json: () => ({ message: 'Deleted' }),
      html: () => {
        flash(req, 'success', 'The comment is deleted.');
        res.redirect(303, `/posts/${String(post._id)}#comments`);
      },
    });
  };

  return { create, destroy };
}
