import type { Connection, mongo } from 'mongoose';

export const ADMIN_LOG_COLLECTION = 'admin_log';

/** Every staff action, as the admin log says it. */
export const ADMIN_ACTION_TEXT = {
  role_changed: 'Changed the role of',
  suspended: 'Suspended',
  unsuspended: 'Lifted the suspension of',
  signed_out: 'Signed out everywhere',
  settings_changed: 'Changed the site settings',
  invited: 'Invited',
  report_dismissed: 'Dismissed a report',
  comment_hidden: 'Hid a comment of',
  comment_restored: 'Restored a comment of',
  comment_approved: 'Approved a first comment of',
} as const;

export type AdminAction = keyof typeof ADMIN_ACTION_TEXT;

export interface AdminEvent {
  readonly _id?: mongo.ObjectId;
  readonly at: Date;
  readonly actorId: string;
  readonly actor: string;
  readonly action: AdminAction;
  /** The account acted on, when there is one. */
  readonly targetId?: string;
  readonly target?: string;
  /** A few facts (new role, invited address's role, changed setting names). No secrets. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** The staff's own record: its own collection, newest first, kept like the security log is not (no TTL). */
export class AdminLog {
  constructor(
    private readonly connection: Connection,
    private readonly now: () => number,
  ) {}

  private get collection(): mongo.Collection<AdminEvent> {
    return this.connection.collection<AdminEvent>(ADMIN_LOG_COLLECTION);
  }

  async record(event: Omit<AdminEvent, 'at' | '_id'>): Promise<void> {
    await this.collection.insertOne({ ...event, at: new Date(this.now()) });
  }

  async latest(limit = 200): Promise<AdminEvent[]> {
    return this.collection.find({}).sort({ at: -1, _id: -1 }).limit(limit).toArray();
  }

  /** Everything about one account: as the actor or the target (export). */
  aboutUser(userId: string): Promise<AdminEvent[]> {
    return this.collection
      .find({ $or: [{ actorId: userId }, { targetId: userId }] }, { projection: { _id: 0 } })
      .sort({ at: 1 })
      .toArray();
  }

  /**
   * When an account goes: events it was the target of are removed; events it made keep the action but lose
   * the name (the log must still say a staff action happened).
   */
  async forgetUser(userId: string): Promise<void> {
    await this.collection.deleteMany({ targetId: userId });
    await this.collection.updateMany({ actorId: userId }, { $set: { actor: '(deleted account)', actorId: '' } });
  }
}

export function adminEventJson(e: AdminEvent) {
  return {
    at: e.at,
    actor: e.actor,
    action: e.action,
    text: ADMIN_ACTION_TEXT[e.action],
    ...(e.target ? { target: e.target } : {}),
    ...(e.details ? { details: e.details } : {}),
  };
}
