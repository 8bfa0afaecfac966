import type { Request, RequestHandler } from 'express';
import { isValidObjectId } from 'mongoose';
import { HttpError, NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { safeNextPath } from '../http/safe-redirect';
import type { PostModel } from '../posts/post.model';
import { READING_LIST_MAX, ReadingListFullError, type ReadingListStore } from './reading-list.store';

export { READING_LIST_MAX };

export interface ReadingListDeps {
  readonly posts: PostModel;
  readonly readingLists: ReadingListStore;
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

/**
 * "Save for later": in the session for an anonymous visitor (the tutorial's cart, no account needed), on the
 * account once signed in (ReadingListStore: the same list on every device). Anonymous saves join the account's
 * list at sign-in (mergeReadingListAtSignIn).
 */
export function readingListHandlers({ posts, readingLists }: ReadingListDeps) {
  const idsOf = (req: Request): Promise<string[]> | string[] =>
    req.session.user ? readingLists.list(req.session.user.id) : (req.session.readingList ?? []);

  const show: RequestHandler = async (req, res) => {
    const ids = await idsOf(req);
    const found = ids.length
      ? await posts.find({ _id: { $in: ids } }, { title: 1, authorName: 1, createdAt: 1 }).lean()
      : [];
    const byId = new Map(found.map((p) => [String(p._id), p]));
    const items = ids.flatMap((id) => byId.get(id) ?? []);
    // A deleted post silently drops out (and out of the list, so it is not looked up again).
    const user = req.session.user;
    if (items.length !== ids.length) {
      const gone = ids.filter((id) => !byId.has(id));
      if (user) for (const id of gone) await readingLists.remove(user.id, id);
      else req.session.readingList = items.map((p) => String(p._id));
    }
    // The list was read anyway: refresh the header's count (another device may have changed it).
    if (user && req.session.readingListCount !== items.length) req.session.readingListCount = items.length;
    if (wantsJson(req)) {
      res.json({ readingList: items.map((p) => ({ id: String(p._id), title: p.title, author: p.authorName })) });
      return;
    }
    res.render('reading-list/index', { title: 'Reading list', items, readingListCount: items.length });
  };

  const save: RequestHandler = async (req, res) => {
    const id = postIdParam(req);
    if (!(await posts.exists({ _id: id }))) throw new NotFoundError('No such post');
    const user = req.session.user;
    if (user) {
      try {
        req.session.readingListCount = await readingLists.add(user.id, [id]);
      } catch (err) {
        if (err instanceof ReadingListFullError) throw new HttpError(409, err.message);
        throw err;
      }
    } else {
      const list = (req.session.readingList ?? []).filter((x) => x !== id);
      req.session.readingList = [id, ...list].slice(0, READING_LIST_MAX);
    }
    if (wantsJson(req)) {
      res.json({ readingList: await idsOf(req) });
      return;
    }
    const back = backTo(req, '/reading-list');
    flash(req, 'success', 'Saved to your reading list.', {
      link: { href: '/reading-list', text: 'View list' },
      undo: { action: `/reading-list/${id}/remove`, text: 'Undo', returnTo: back },
    });
    res.redirect(303, back);
  };

  const remove: RequestHandler = async (req, res) => {
    const id = postIdParam(req);
    const user = req.session.user;
    if (user) {
      req.session.readingListCount = await readingLists.remove(user.id, id);
    } else {
      const list = req.session.readingList ?? [];
      if (list.includes(id)) req.session.readingList = list.filter((x) => x !== id);
    }
    if (wantsJson(req)) {
      res.json({ readingList: await idsOf(req) });
      return;
    }
    const back = backTo(req, '/reading-list');
    flash(req, 'success', 'Removed from your reading list.', {
      undo: { action: `/reading-list/${id}`, text: 'Undo', returnTo: back },
    });
    res.redirect(303, back);
  };

  return { show, save, remove };
}
