import type { Connection } from 'mongoose';
import type { PersonalData } from '../db/personal-data';
import { prepareAccountTokens, TOKENS_COLLECTION } from './account-tokens';

/** Reset, confirmation and undo links: hashes only, so nothing to export; all of them go with the account. */
export function accountTokensPersonalData(connection: Connection): PersonalData {
  return {
    name: 'accountTokens',
    prepare: () => prepareAccountTokens(connection),
    async forgetUser(user) {
      await connection.collection(TOKENS_COLLECTION).deleteMany({ userId: user.id });
    },
  };
}
