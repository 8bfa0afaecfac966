import type { Connection } from 'mongoose';
import type { SessionAuth, SessionDevice, SessionUser } from '../session/session-data';
import { SESSIONS_COLLECTION } from '../session/session-middleware';

/** A session document as connect-mongo stores it with `stringify: false`. */
interface StoredSession {
  _id: string;
  expires?: Date;
  session: { user?: SessionUser; auth?: SessionAuth; device?: SessionDevice };
}

export interface UserSession {
  readonly sessionId: string;
  readonly publicId: string;
  readonly signedInAt: Date;
  readonly lastSeenAt: Date;
  readonly userAgent: string;
  readonly ip: string;
  readonly remember: boolean;
}

/**
 * The sessions collection seen by user — what express-session cannot do (it knows no users). Queries use
 * the index on `session.user.id` made by prepareDatabase(). Deleting a document ends that session at once:
 * its next request finds nothing and is anonymous.
 */
export class SessionDirectory {
  constructor(private readonly connection: Connection) {}

  private get collection() {
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    return db.collection<StoredSession>(SESSIONS_COLLECTION);
  }

  /** Active sessions of a user, most recently active first. */
  async list(userId: string, now: Date): Promise<UserSession[]> {
    const docs = await this.collection
      .find({ 'session.user.id': userId, expires: { $gt: now } })
      .project<StoredSession>({ 'session.auth': 1, 'session.device': 1 })
      .toArray();
    return docs
      .filter((d) => d.session.auth && d.session.device)
      .map((d) => {
        const auth = d.session.auth as SessionAuth;
        const device = d.session.device as SessionDevice;
        return {
          sessionId: d._id,
          publicId: device.publicId,
          signedInAt: new Date(auth.signedInAt),
          lastSeenAt: new Date(auth.lastSeenAt),
          userAgent: device.userAgent,
          ip: device.ip,
          remember: auth.remember,
        };
      })
      .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  }

  /** Ends one of the user's sessions by its public handle; false when the user has no such session. */
  async revoke(userId: string, publicId: string): Promise<boolean> {
    const { deletedCount } = await this.collection.deleteOne({
      'session.user.id': userId,
      'session.device.publicId': publicId,
    });
    return deletedCount === 1;
  }

  /** Ends every session of the user except `keepSessionId`; returns how many ended. */
  async revokeAllExcept(userId: string, keepSessionId: string): Promise<number> {
    const { deletedCount } = await this.collection.deleteMany({
      'session.user.id': userId,
      _id: { $ne: keepSessionId },
    });
    return deletedCount;
  }
}
