import type { Request } from 'express';
import type { Connection, mongo } from 'mongoose';
import type { Logger } from 'pino';
import { describeDevice } from '../http/describe-device';

export const SECURITY_EVENTS_COLLECTION = 'security_events';

/** Everything a user's security log can say, and how it says it to them. */
export const EVENT_TEXT = {
  signed_in: 'Signed in',
  sign_in_failed: 'Failed sign-in attempts',
  throttled: 'Sign-in paused after too many wrong passwords',
  signed_out: 'Signed out',
  session_revoked: 'A device was signed out',
  sessions_revoked: 'All other devices were signed out',
  not_me: 'A sign-in was reported as “this wasn’t me” and signed out',
  password_changed: 'Password changed',
  reset_requested: 'Password reset requested',
  reset_completed: 'Password reset',
  email_added: 'Address added',
  email_changed: 'Address change requested',
  email_verified: 'Address confirmed',
  deletion_scheduled: 'Account deletion scheduled',
  deletion_cancelled: 'Account deletion cancelled',
  data_exported: 'Data exported',
  reauthenticated: 'Password confirmed for a sensitive action',
  passkey_added: 'Passkey added',
  passkey_removed: 'Passkey removed',
  passkey_clone_suspected: 'A passkey sign-in was refused: the authenticator may have been cloned',
  two_factor_enabled: 'Authenticator codes turned on',
  two_factor_disabled: 'Authenticator codes turned off',
  recovery_codes_regenerated: 'New recovery codes made',
  recovery_code_used: 'A recovery code was used',
  second_factor_locked: 'Sign-in codes paused after too many wrong codes: someone has your password',
  admin_signed_out: 'An administrator signed you out on every device',
  admin_suspended: 'An administrator suspended your account and signed you out',
  admin_unsuspended: 'An administrator lifted the suspension of your account',
  admin_role_changed: 'An administrator changed your role',
} as const;

export type SecurityEventType = keyof typeof EVENT_TEXT;

export interface SecurityEvent {
  readonly _id?: mongo.ObjectId;
  readonly userId: string;
  readonly type: SecurityEventType;
  readonly at: Date;
  readonly ip: string;
  /** "Firefox 128 on Ubuntu": described once, when recorded. */
  readonly device: string;
  /** The browser's long-lived device id (device cookie), when it had one: tells new devices from known. */
  readonly deviceId?: string;
  /** A few facts worth showing (new device, how many sessions ended, the masked address). No secrets. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  /** Failed attempts are counted per address and hour in one event, not one event each. */
  readonly count?: number;
  /** The hour a failure count belongs to. */
  readonly bucket?: Date;
}

export interface EventContext {
  readonly ip: string;
  readonly userAgent: string;
  readonly deviceId?: string;
}

/** Who is acting, from the request: address as Express sees it (TRUST_PROXY), browser, device cookie. */
export function eventContext(req: Request): EventContext {
  return {
    ip: req.ip ?? 'unknown',
    userAgent: (req.get('user-agent') ?? '').slice(0, 512),
    deviceId: req.deviceId,
  };
}

declare global {
  namespace Express {
    interface Request {
      /** The long-lived device id from the signed device cookie (see device-cookie.ts), once read. */
      deviceId?: string;
    }
  }
}

/**
 * Each user's own security log: what happened to their account, when, from where. Its own collection,
 * indexed by user and time, kept SECURITY_LOG_DAYS by a TTL index. Written only by actions (sign-in,
 * sign-out, changes), never by a page view. Recording never fails the action it records: a failed write is
 * logged and swallowed.
 */
export class SecurityLog {
  constructor(
    private readonly connection: Connection,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  private get collection(): mongo.Collection<SecurityEvent> {
    return this.connection.collection<SecurityEvent>(SECURITY_EVENTS_COLLECTION);
  }

  async record(
    userId: string,
    type: SecurityEventType,
    context: EventContext,
    details?: SecurityEvent['details'],
  ): Promise<void> {
    try {
      await this.collection.insertOne({
        userId,
        type,
        at: new Date(this.now()),
        ip: context.ip,
        device: describeDevice(context.userAgent),
        ...(context.deviceId ? { deviceId: context.deviceId } : {}),
        ...(details ? { details } : {}),
      });
    } catch (err) {
      this.logger.error({ err, event: 'security_log_failed', userId, type }, 'security log write failed');
    }
  }

  /** Failed sign-ins: one event per user, address and hour, counting the attempts. */
  async recordFailure(userId: string, context: EventContext): Promise<void> {
    const hour = new Date(Math.floor(this.now() / 3_600_000) * 3_600_000);
    try {
      await this.collection.updateOne(
        { userId, type: 'sign_in_failed', ip: context.ip, bucket: hour },
        {
          $inc: { count: 1 },
          $set: { at: new Date(this.now()), device: describeDevice(context.userAgent) },
        },
        { upsert: true },
      );
    } catch (err) {
      this.logger.error({ err, event: 'security_log_failed', userId }, 'security log write failed');
    }
  }

  /** True when this browser (device id) has signed in to this account before. */
  async knownDevice(userId: string, deviceId: string | undefined): Promise<boolean> {
    if (!deviceId) return false;
    return (await this.collection.countDocuments({ userId, type: 'signed_in', deviceId }, { limit: 1 })) > 0;
  }

  /** A page of the user's events, newest first, and whether there is an older page. */
  async page(userId: string, page: number, perPage = 25): Promise<{ events: SecurityEvent[]; hasMore: boolean }> {
    const events = await this.collection
      .find({ userId }, { projection: { userId: 0, deviceId: 0 } })
      .sort({ at: -1, _id: -1 })
      .skip((page - 1) * perPage)
      .limit(perPage + 1)
      .toArray();
    return { events: events.slice(0, perPage), hasMore: events.length > perPage };
  }

  /** Every event of the user, oldest first (the data export). */
  all(userId: string): Promise<SecurityEvent[]> {
    return this.collection
      .find({ userId }, { projection: { _id: 0, userId: 0, deviceId: 0, bucket: 0 } })
      .sort({ at: 1 })
      .toArray();
  }

  async forgetUser(userId: string): Promise<void> {
    await this.collection.deleteMany({ userId });
  }
}

/** The collection and its indexes: by user and time (the page), by device (new-device checks), TTL. */
export async function prepareSecurityLog(connection: Connection, keepDays: number): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('not connected');
  const existing = await db.listCollections({ name: SECURITY_EVENTS_COLLECTION }, { nameOnly: true }).toArray();
  if (existing.length === 0) {
    await db.createCollection(SECURITY_EVENTS_COLLECTION).catch((err: { code?: number }) => {
      if (err.code !== 48) throw err;
    });
  }
  const events = db.collection(SECURITY_EVENTS_COLLECTION);
  await events.createIndex({ userId: 1, at: -1 });
  await events.createIndex({ userId: 1, type: 1, deviceId: 1 }, { partialFilterExpression: { type: 'signed_in' } });
  const ttlSeconds = keepDays * 86_400;
  try {
    await events.createIndex({ at: 1 }, { name: 'at_ttl', expireAfterSeconds: ttlSeconds });
  } catch {
    // SECURITY_LOG_DAYS changed since the index was made: change its expiry in place.
    await db.command({
      collMod: SECURITY_EVENTS_COLLECTION,
      index: { name: 'at_ttl', expireAfterSeconds: ttlSeconds },
    });
  }
}
