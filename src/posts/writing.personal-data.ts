import type { Connection } from 'mongoose';
import { ensureCollection } from '../db/collections';
import type { PersonalData } from '../db/personal-data';
import { AUTOSAVE_KEYS_COLLECTION } from './writing.routes';

/** A new-post page's key is needed only while that page may still autosave: a week is ample. */
const AUTOSAVE_KEY_SECONDS = 7 * 86_400;

/**
 * Autosave's page keys (`<userId>:<page key>` → the draft it made: writing.routes.ts). They name the user, so
 * the purge removes them; they say nothing the export's posts do not, so there is no export.
 */
export function autosaveKeysPersonalData(connection: Connection): PersonalData {
  const keys = () => {
    const db = connection.db;
    if (!db) throw new Error('not connected');
    return db.collection<{ _id: string }>(AUTOSAVE_KEYS_COLLECTION);
  };
  return {
    name: 'autosaveKeys',
    async prepare() {
      await ensureCollection(connection, AUTOSAVE_KEYS_COLLECTION);
      await keys().createIndex({ createdAt: 1 }, { expireAfterSeconds: AUTOSAVE_KEY_SECONDS });
    },
    async forgetUser(user) {
      // The user id is a 24-hex ObjectId string: nothing in it needs escaping in the pattern.
      await keys().deleteMany({ _id: { $regex: `^${user.id}:` } });
    },
  };
}
