import type { Connection } from 'mongoose';
import { ADMIN_LOG_COLLECTION } from '../admin-log/admin-log';
import { INVITATIONS_COLLECTION } from '../invites/invitations';
import { REPORTS_COLLECTION } from '../moderation/reports';
import { SITE_SETTINGS_COLLECTION } from '../site-settings/site-settings';

const NAMESPACE_EXISTS = 48;

/** The staff features' collections and indexes, made before traffic (see prepareDatabase). */
export async function prepareStaff(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('not connected');
  const names = [SITE_SETTINGS_COLLECTION, ADMIN_LOG_COLLECTION, INVITATIONS_COLLECTION, REPORTS_COLLECTION];
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of names.filter((n) => !existing.has(n))) {
    await db.createCollection(name).catch((err: { code?: number }) => {
      if (err.code !== NAMESPACE_EXISTS) throw err;
    });
  }
  await db.collection(ADMIN_LOG_COLLECTION).createIndex({ at: -1, _id: -1 });
  await db.collection(ADMIN_LOG_COLLECTION).createIndex({ actorId: 1 });
  await db.collection(ADMIN_LOG_COLLECTION).createIndex({ targetId: 1 });
  await db.collection(INVITATIONS_COLLECTION).createIndex({ tokenHash: 1 }, { unique: true });
  // Gone a day after they expire: an expired link answers "expired" for a while, then "unknown".
  await db.collection(INVITATIONS_COLLECTION).createIndex({ expiresAt: 1 }, { expireAfterSeconds: 86_400 });
  await db.collection(REPORTS_COLLECTION).createIndex({ closedAt: 1, createdAt: 1 });
  await db.collection(REPORTS_COLLECTION).createIndex({ reporterId: 1, createdAt: -1 });
  await db.collection(REPORTS_COLLECTION).createIndex({ kind: 1, targetId: 1 });
}
