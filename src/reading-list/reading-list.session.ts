import type { Request, RequestHandler } from 'express';
import 'express-session';
import type { ReadingListStore } from './reading-list.store';

declare module 'express-session' {
  interface SessionData {
    /**
     * How many posts the signed-in reader has saved, for the header. Kept here and updated on every save,
     * removal and sign-in, so showing it costs no query: a signed-in page view stays at its MongoDB commands.
     * Another device's save shows in this one's count when this one next saves, removes or opens the list.
     */
    readingListCount: number;
  }
}

/** The number for the header: the session's own list for a visitor, the cached count for an account. */
export function readingListCountOf(req: Request): number {
  const session = req.session;
  if (!session) return 0;
  if (session.user) return session.readingListCount ?? 0;
  return session.readingList?.length ?? 0;
}

/** The header's count, declared to http/view-locals by the composition root. */
export const readingListHeader = (req: Request) => ({ readingListCount: readingListCountOf(req) });
/**
 * At sign-in: the anonymous saves carried over in the session join the account's list (the same list on
 * every device from then on), and the header count is set. A sign-in hook (wired in app.ts), run by the
 * sign-in pipeline before the new session is saved.
 */
export async function mergeReadingListAtSignIn(store: ReadingListStore, req: Request, userId: string): Promise<void> {
  const anonymous = req.session.readingList ?? [];
  req.session.readingListCount = await store.merge(userId, anonymous);
  delete req.session.readingList;
}

const POST_ID = /^[a-f0-9]{24}$/i;

/**
 * For a post's page: whether the reader has saved it ("Saved ✓ / Remove" instead of "Save for later"). A visitor's
 * list is in the session (no query); an account's is one indexed lookup, so it is right on every device.
 */
export function exposeSavedState(store: ReadingListStore): RequestHandler {
  return async (req, res, next) => {
    const id = String(req.params.id ?? '');
    if (!POST_ID.test(id)) return next();
    const postId = id.toLowerCase();
    const user = req.session?.user;
    res.locals.savedForLater = user
      ? await store.has(user.id, postId)
      : (req.session?.readingList ?? []).includes(postId);
    next();
  };
}
