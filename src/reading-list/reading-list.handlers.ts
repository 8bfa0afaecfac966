import type { Request, RequestHandler } from 'express';
import { isValidObjectId } from 'mongoose';
import { HttpError, NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { wantsJson } from '../http/negotiate';
import { respond } from '../http/respond';
import { safeNextPath } from '../http/safe-redirect';
import type { PostModel } from '../posts/post.model';
import { publishedFilter } from '../posts/post-queries';
import { READING_LIST_MAX, ReadingListFullError, type ReadingListStore } from './reading-list.store';

export { READING_LIST_MAX };

export interface ReadingListDeps {
  readonly posts: PostModel;
  readonly readingLists: ReadingListStore;
  readonly now: () => number;
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
export function readingListHandlers({ posts, readingLists, now }: ReadingListDeps) {
  const idsOf = (req: Request): Promise<string[]> | string[] =>
    req.session.user ? readingLists.list(req.session.user.id) : (req.session.readingList ?? []);

  const show: RequestHandler = async (req, res) => {
    const ids = await idsOf(req);
    // Only what readers may see: a post that went back to draft (or whose author closed their account) is not
    // listed, so saving a draft's id cannot reveal its title.
    const found = ids.length
      ? await posts
          .find(publishedFilter(new Date(now()), { _id: { $in: ids } }), { title: 1, authorName: 1, createdAt: 1 })
          .lean()
      : [];
    const byId = new Map(found.map((p) => [String(p._id), p]));
    const items = ids.flatMap((id) => byId.get(id) ?? []);
    // A deleted post silently drops out (and out of the list, so it is not looked up again); a hidden one stays
    // saved for when it is public again.
    const user = req.session.user;
    if (items.length !== ids.length) {
      const missing = ids.filter((id) => !byId.has(id));
      const hidden = new Set(
        (await posts.find({ _id: { $in: missing } }, { _id: 1 }).lean()).map((p) => String(p._id)),
      );
      const gone = missing.filter((id) => !hidden.has(id));
      if (user) for (const id of gone) await readingLists.remove(user.id, id);
      else if (gone.length > 0) req.session.readingList = ids.filter((id) => !gone.includes(id));
    }
    // The list was read anyway: refresh the header's count (another device may have changed it).
    if (user && req.session.readingListCount !== items.length) req.session.readingListCount = items.length;
    respond(req, res, {
      json: () => ({ readingList: items.map((p) => ({ id: String(p._id), title: p.title, author: p.authorName })) }),
      html: { view: 'reading-list/index', locals: { title: 'Reading list', items, readingListCount: items.length } },
    });
  };

  const save: RequestHandler = async (req, res) => {
    const id = postIdParam(req);
    // Drafts and scheduled posts are 404 to everyone but their author: the same here.
    if (!(await posts.exists(publishedFilter(new Date(now()), { _id: id })))) throw new NotFoundError('No such post');
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
