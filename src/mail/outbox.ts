import type { Connection } from 'mongoose';
import type { RenderedMail } from './templates';

export const OUTBOX_COLLECTION = 'mail_outbox';
/** A development outbox need not grow for ever: mail older than this is removed by a TTL index. */
const OUTBOX_KEEP_SECONDS = 14 * 86_400;
const NAMESPACE_EXISTS = 48;

export interface OutboxMail extends RenderedMail {
  readonly createdAt: Date;
}

/** Created up front (see prepare-database.ts): never implicitly by a first write. */
export async function prepareMail(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('prepareMail needs an open connection');
  const exists = await db.listCollections({ name: OUTBOX_COLLECTION }, { nameOnly: true }).hasNext();
  if (!exists) {
    await db.createCollection(OUTBOX_COLLECTION).catch((err: { code?: number }) => {
      if (err.code !== NAMESPACE_EXISTS) throw err;
    });
  }
  await db.collection(OUTBOX_COLLECTION).createIndex({ createdAt: -1 }, { expireAfterSeconds: OUTBOX_KEEP_SECONDS });
}

export function latestOutboxMail(connection: Connection, limit = 50) {
  return connection
    .collection<OutboxMail>(OUTBOX_COLLECTION)
    .find({}, { sort: { createdAt: -1, _id: -1 }, limit })
    .toArray();
}
