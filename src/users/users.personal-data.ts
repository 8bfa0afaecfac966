import { ensureCollection } from '../db/collections';
import type { PersonalData } from '../db/personal-data';
import type { UserModel } from './user.model';

/** The account itself: registered first, so it is prepared first and forgotten last (personal-data.ts). */
export function usersPersonalData(users: UserModel): PersonalData {
  return {
    name: 'profile',
    async prepare() {
      await ensureCollection(users.db, users.collection.collectionName);
      await users.createIndexes();
    },
    async forgetUser(user) {
      await users.deleteOne({ _id: user.id });
    },
    async exportUser(user) {
      const profile = await users.findById(user.id, { username: 1, email: 1, emailVerified: 1, createdAt: 1 }).lean();
      return {
        username: profile?.username,
        email: profile?.email ?? null,
        emailVerified: profile?.emailVerified === true,
        createdAt: profile?.createdAt,
      };
    },
  };
}
