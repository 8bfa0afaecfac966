import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { parseForm } from '../http/validate';
import type { Clock } from '../session/session-lifetime';
import { loadedPost } from './loaded-post';
import type { PostModel } from './post.model';
import { postSchema } from './posts.schemas';

export interface PostEditingDeps {
  readonly posts: PostModel;
  readonly logger: Logger;
  readonly now: Clock;
}

/** Edit and delete, for the author only (guards in posts.routes.ts). */
export function postEditingHandlers({ posts, logger, now }: PostEditingDeps) {
  const editForm: RequestHandler = (_req, res) => {
    const post = loadedPost(res);
    res.render('posts/edit', { title: `Edit “${post.title}”`, post, values: { title: post.title, body: post.body } });
  };

  const update: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    const input = parseForm(postSchema, req.body, {
      view: 'posts/edit',
      locals: { title: `Edit “${post.title}”`, post },
    });
    // Hydrate the loaded document rather than query again; save() re-renders the Markdown (validate hook).
    const doc = posts.hydrate(post);
    doc.set({ title: input.title, body: input.body, editedAt: new Date(now()) });
    await doc.save();
    (req.log ?? logger).info(
      { event: 'post_updated', postId: String(post._id), username: req.session.user?.username },
      'post updated',
    );
    if (wantsJson(req)) {
      res.json({ post: { id: String(doc._id), title: doc.title } });
      return;
    }
    flash(req, 'success', 'Your changes are saved.');
    res.redirect(303, `/posts/${String(doc._id)}`);
  };

  /** A confirmation page, so deleting works without JavaScript and never happens on one stray click. */
  const confirmDelete: RequestHandler = (_req, res) => {
    const post = loadedPost(res);
    res.render('posts/delete', { title: `Delete “${post.title}”?`, post });
  };

  const destroy: RequestHandler = async (req, res) => {
    const post = loadedPost(res);
    await posts.deleteOne({ _id: post._id });
    (req.log ?? logger).info(
      { event: 'post_deleted', postId: String(post._id), username: req.session.user?.username },
      'post deleted',
    );
    if (wantsJson(req)) {
      res.json({ message: 'Deleted' });
      return;
    }
    flash(req, 'success', `“${post.title}” has been deleted.`);
    res.redirect(303, '/posts');
  };

  return { editForm, update, confirmDelete, destroy };
}
