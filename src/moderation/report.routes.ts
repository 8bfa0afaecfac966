import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { NotFoundError, TooManyRequestsError } from '../http/errors';
import { flash } from '../http/flash';
import { respond } from '../http/respond';
import { parseForm } from '../http/validate';
import type { CommentModel } from '../posts/comments/comment.model';
import { loadComment } from '../posts/comments/comments.handlers';
import { loadPost } from '../posts/load-post';
import { loadedPost } from '../posts/loaded-post';
import type { PostModel } from '../posts/post.model';
import { isPublic } from '../posts/post-queries';
import { actorOf, type RoleGuards } from '../roles/actor';
import type { RateLimit } from '../security/rate-limit';
import { REPORTS_PER_HOUR, type Reports } from './reports';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const reportSchema = z.object({
  reason: z
    .string({ error: 'Say what is wrong' })
    .transform((s) => s.replace(CONTROL, '').trim())
    .pipe(z.string().min(1, 'Say what is wrong').max(1_000, 'Keep the reason to 1,000 characters')),
});

interface LoadedComment {
  readonly _id: unknown;
  readonly postId: unknown;
  readonly authorId: unknown;
  readonly moderation?: string | null;
}

/** `/posts/:id/report` and `/posts/:id/comments/:commentId/report`: a reader tells the editors. */
export function reportRoutes(deps: {
  posts: PostModel;
  comments: CommentModel;
  reports: Reports;
  roles: RoleGuards;
  rateLimit: RateLimit;
  now: () => number;
}): Router {
  const router = Router();
  router.param('id', loadPost(deps.posts));
  router.param('commentId', loadComment(deps.comments));

  /** What is reported: a public post, or a shown comment under it. */
  function targetOf(res: Parameters<RequestHandler>[1]) {
    const post = loadedPost(res);
    if (!isPublic(post, new Date(deps.now()))) throw new NotFoundError('No such post');
    const comment = res.locals.comment as LoadedComment | undefined;
    if (!comment) return { kind: 'post' as const, targetId: String(post._id), post };
    if (String(comment.postId) !== String(post._id) || comment.moderation) throw new NotFoundError('No such comment');
    return { kind: 'comment' as const, targetId: String(comment._id), post };
  }

  const view = 'posts/report';
  const show: RequestHandler = (_req, res) => {
    const target = targetOf(res);
    res.render(view, { title: `Report ${target.kind === 'post' ? 'this post' : 'a comment'}`, ...target });
  };

  const file: RequestHandler = async (req, res) => {
    const target = targetOf(res);
    const locals = { title: `Report ${target.kind === 'post' ? 'this post' : 'a comment'}`, ...target };
    const input = parseForm(reportSchema, req.body, { view, locals });
    const actor = actorOf(res);
    const filed = await deps.reports.file({
      kind: target.kind,
      targetId: target.targetId,
      postId: String(target.post._id),
      reason: input.reason,
      reporterId: actor.id,
      reporter: actor.username,
    });
    if (!filed) throw new TooManyRequestsError(3600);
    respond(req, res, {
      status: 201,
      json: () => ({ message: 'Reported' }),
      html: () => {
        flash(req, 'success', 'Thank you: the editors will look at it.');
        res.redirect(303, `/posts/${String(target.post._id)}`);
      },
    });
  };

  const reporter = deps.roles.requireCan('report.create');
  // At most REPORTS_PER_HOUR an hour per account, taken atomically before the handler: a burst of reports in
  // flight together cannot pass it (the count in Reports.file alone could be raced).
  const limited = [...reporter, deps.rateLimit({ key: 'report', points: REPORTS_PER_HOUR, duration: 3600 })];
  router.get('/:id/report', reporter, show);
  router.post('/:id/report', limited, file);
  router.get('/:id/comments/:commentId/report', reporter, show);
  router.post('/:id/comments/:commentId/report', limited, file);
  return router;
}
