import type { Request } from 'express';
import { isTimeZone } from './time-zone';

/**
 * The zone a sign-in form reported (`timeZone`, a hidden field public/js/time-zone.js fills from
 * Intl.DateTimeFormat().resolvedOptions().timeZone), if it is one Intl supports; a JSON client may send it too.
 */
export function reportedTimeZone(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || !('timeZone' in body)) return undefined;
  return isTimeZone(body.timeZone) ? body.timeZone : undefined;
}

/**
 * The zone this sign-in uses: what the browser reports now (it travels with its owner), else the one the
 * account remembers, else none (pages then say UTC).
 */
export function signInTimeZone(req: Request, stored: string | null | undefined): string | undefined {
  return reportedTimeZone(req) ?? (isTimeZone(stored) ? stored : undefined);
}

/** Remembers a newly reported zone on the account, so mails and other devices use it too. */
export async function rememberTimeZone(
  // Structural, so time/ needs nothing of users/ (any model that updates accounts by id will do).
  users: { updateOne(filter: { _id: string }, update: { $set: { timeZone: string } }): PromiseLike<unknown> },
  userId: string,
  zone: string | undefined,
  stored: string | null | undefined,
): Promise<void> {
  if (!zone || zone === stored) return;
  await users.updateOne({ _id: userId }, { $set: { timeZone: zone } });
}

/** The account's zone for a mail sent outside a request (reset, deletion): stored, else UTC. */
export function zoneOfUser(user: { readonly timeZone?: string | null } | null | undefined): string {
  return user && isTimeZone(user.timeZone) ? user.timeZone : 'UTC';
}
