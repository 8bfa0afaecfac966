import type { Connection } from 'mongoose';
import { ensureCollection } from '../db/collections';
import type { PersonalData } from '../db/personal-data';
import { describeDevice } from '../http/describe-device';
import { prepareSessionStore, SESSIONS_COLLECTION, type SessionStore } from './session-store';

/**
 * Which session each exported device is, for `markThisDevice` only. A symbol key: JSON.stringify leaves it
 * out, so a session id can never reach the export's text, even if nobody strips it.
 */
const SESSION_ID = Symbol('sessionId');

interface ExportedDevice {
  readonly device: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly signedInAt: Date;
  readonly lastSeenAt: Date;
  thisDevice: boolean;
  readonly [SESSION_ID]: string;
}

/**
 * The user's sessions: everything stored under the account, and the sign-in steps waiting for it (a second
 * step, a restore); the export lists the devices, never their session ids.
 */
export function sessionsPersonalData(connection: Connection, store: SessionStore): PersonalData {
  return {
    name: 'devices',
    async prepare() {
      await ensureCollection(connection, SESSIONS_COLLECTION);
      await prepareSessionStore(connection);
    },
    async forgetUser(user) {
      await connection.collection(SESSIONS_COLLECTION).deleteMany({
        $or: [
          { 'session.user.id': user.id },
          { 'session.pendingRestore.userId': user.id },
          { 'session.pendingSecondStep.userId': user.id },
          // Tombstones keep whose session it was (kept forms need it): theirs too.
          { endedUserId: user.id },
        ],
      });
    },
    async exportUser(user): Promise<ExportedDevice[]> {
      return (await store.listByUser(user.id)).map((d) => ({
        device: describeDevice(d.userAgent),
        userAgent: d.userAgent,
        ip: d.ip,
        signedInAt: d.signedInAt,
        lastSeenAt: d.lastSeenAt,
        thisDevice: false,
        [SESSION_ID]: d.sessionId,
      }));
    },
  };
}

/** In an export made by a request: flags the device the request came from. */
export function markThisDevice(devices: unknown, sessionId: string): void {
  if (!Array.isArray(devices)) return;
  for (const device of devices as Partial<ExportedDevice>[]) device.thisDevice = device[SESSION_ID] === sessionId;
}
