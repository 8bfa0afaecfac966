import type { Connection } from 'mongoose';
import { SESSIONS_COLLECTION } from '../../src/session/session-store';

/** Sessions that are still valid in the store (ended ones stay as tombstones until their TTL). */
export function liveSessions(connection: Connection, filter: Record<string, unknown> = {}): Promise<number> {
  return connection.collection(SESSIONS_COLLECTION).countDocuments({ ...filter, endedAt: { $exists: false } } as never);
}

/** How the session `sid` ended, or undefined while it is live (or unknown). */
export async function endReasonOf(connection: Connection, sid: string): Promise<string | undefined> {
  const doc = await connection.collection(SESSIONS_COLLECTION).findOne({ _id: sid as never });
  return doc?.endedReason as string | undefined;
}
