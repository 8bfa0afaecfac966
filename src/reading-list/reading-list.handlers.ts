import type { Request, RequestHandler } from 'express';
import { isValidObjectId } from 'mongoose';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { safeNextPath } from '../http/safe-redirect';
import type { PostModel } from '../posts/post.model';

/** Enough for any reader; a bound keeps the session document small. */
export const READING_LIST_MAX = 100;

export interface ReadingListDeps {
  readonly posts: PostModel;
}

function postIdParam(req: Request): string {
  const id = String(req.params.postId);
  if (!/^[a-f0-9]{24}$/i.test(id) || !isValidObjectId(id)) throw new NotFoundError('No such post');
  return id.toLowerCase();
}

/** Back to where the button was pressed (a same-site path), else the list. */
function backTo(req: Request, fallback: string): string {
  const returnTo: unknown = (req.body as Record<string, unknown> | undefined)?.returnTo;
  return safeNextPath(returnTo, fallback);
}

/** "Save for later", kept in the session like the tutorial's cart: it works without an account. */
export function readingListHandlers({ posts }: ReadingListDeps) {
  const show: RequestHandler = async (req, res) => {
    const ids = req.session.readingList ?? [];
    const found = ids.length
      ? await posts.find({ _id: { $in: ids } }, { title: 1, authorName: 1, createdAt: 1 }).lean()
      : [];
    const byId = new Map(found.map((p) => [String(p._id), p]));
    const items = ids.flatMap((id) => byId.get(id) ?? []);
    // A deleted post silently drops out (and out of the session, so it is not looked up again).
    if (items.length !== ids.length) req.session.readingList = items.map((p) => String(p._id));
    if (wantsJson(req)) {
      res.json({ readingList: items.map((p) => ({ id: String(p._id), title: p.title, author: p.authorName })) });
      return;
    }
    res.render('reading-list/index', { title: 'Reading list', items });
  };

  const save: RequestHandler = async (req, res) => {
    const id = postIdParam(req);
    if (!(await posts.exists({ _id: id }))) throw new NotFoundError('No such post');
    const list = (req.session.readingList ?? []).filter((x) => x !== id);
    req.session.readingList = [id, ...list].slice(0, READING_LIST_MAX);
    if (wantsJson(req)) {
      res.json({ readingList: req.session.readingList });
      return;
    }
    flash(req, 'success', 'Saved to your reading list.');
    res.redirect(303, backTo(req, '/reading-list'));
  };

  const remove: RequestHandler = (req, res) => {
    const id = postIdParam(req);
    const list = req.session.readingList ?? [];
    if (list.includes(id)) req.session.readingList = list.filter((x) => x !== id);
    if (wantsJson(req)) {
      res.json({ readingList: req.session.readingList ?? [] });
      return;
    }
    flash(req, 'success', 'Removed from your reading list.');
    res.redirect(303, backTo(req, '/reading-list'));
  };

  return { show, save, remove };
}
