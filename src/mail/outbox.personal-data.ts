import type { Connection } from 'mongoose';
import type { PersonalData } from '../db/personal-data';
import { OUTBOX_COLLECTION, prepareMail } from './outbox';

/** The development outbox holds mail to the user's address: it goes with the account. */
export function outboxPersonalData(connection: Connection): PersonalData {
  return {
    name: 'mailOutbox',
    prepare: () => prepareMail(connection),
    async forgetUser(user) {
      if (user.email) await connection.collection(OUTBOX_COLLECTION).deleteMany({ to: user.email });
    },
  };
}
