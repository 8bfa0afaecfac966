import type { Connection } from 'mongoose';
import type { PersonalData } from '../db/personal-data';
import { prepareReadingLists, READING_LISTS_COLLECTION } from './reading-list.store';

/** An account's reading list (a visitor's lives in the session and goes with it). */
export function readingListPersonalData(connection: Connection): PersonalData {
  const lists = () => connection.collection<{ userId: string; postIds: string[] }>(READING_LISTS_COLLECTION);
  return {
    name: 'readingList',
    prepare: () => prepareReadingLists(connection),
    async forgetUser(user) {
      await lists().deleteMany({ userId: user.id });
    },
    async exportUser(user) {
      return (await lists().findOne({ userId: user.id }))?.postIds ?? [];
    },
  };
}
