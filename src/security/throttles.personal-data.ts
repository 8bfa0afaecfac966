import type { Connection } from 'mongoose';
import { ensureCollection } from '../db/collections';
import type { PersonalData } from '../db/personal-data';
import { accountThrottleKeys, THROTTLE_COLLECTION } from './login-throttle';
import { mailAddressKeys } from './mail-throttle';
import { writeLimitKeys } from './rate-limit';

/**
 * rate-limiter-flexible's counters, one collection for every throttle. Short-lived, but the ones keyed by
 * the user's name (sign-in), id (write limits) or address (mail) are theirs: each throttle says which keys
 * are a user's, this entry forgets them.
 */
export function throttlesPersonalData(connection: Connection): PersonalData {
  const throttles = () => connection.collection<{ key: string }>(THROTTLE_COLLECTION);
  return {
    name: 'throttles',
    async prepare() {
      await ensureCollection(connection, THROTTLE_COLLECTION);
      // One document per key, removed by TTL when it expires.
      await throttles().createIndex({ expire: -1 }, { expireAfterSeconds: 0 });
      await throttles().createIndex({ key: 1 }, { unique: true });
    },
    async forgetUser(user) {
      const keys = [accountThrottleKeys(user.username), writeLimitKeys(user.id)];
      if (user.email) keys.push(mailAddressKeys(user.email));
      await throttles().deleteMany({ $or: keys.map((key) => ({ key })) });
    },
  };
}
