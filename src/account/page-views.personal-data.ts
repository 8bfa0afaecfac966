import type { Connection } from 'mongoose';
import { ensureCollection } from '../db/collections';
import type { PersonalData, UserRef } from '../db/personal-data';
import type { SessionStore } from '../session/session-store';
import { PAGE_VIEWS_COLLECTION } from './page-views';

/**
 * Page-view counters, keyed by session id: they are found through the user's live sessions, so they are
 * registered after the sessions and forgotten before them (and at once when an account closes, while its
 * sessions still name it: see the deletion's closing steps in services.ts).
 */
export function pageViewsPersonalData(
  connection: Connection,
  sessions: SessionStore,
): PersonalData & { forgetUser(user: UserRef): Promise<void> } {
  const views = () => connection.collection<{ _id: string }>(PAGE_VIEWS_COLLECTION);
  return {
    name: 'pageViews',
    async prepare() {
      await ensureCollection(connection, PAGE_VIEWS_COLLECTION);
      // Counters outlive no session: the longest a session can live is REMEMBER_ME_DAYS.
      await views().createIndex({ updatedAt: 1 }, { expireAfterSeconds: 90 * 86_400 });
    },
    async forgetUser(user) {
      const live = await sessions.listByUser(user.id);
      if (live.length > 0) await views().deleteMany({ _id: { $in: live.map((s) => s.sessionId) } });
    },
  };
}
