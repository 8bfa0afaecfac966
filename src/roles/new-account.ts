import type { Connection } from 'mongoose';
import type { Role } from '../users/roles';
import { type User, type UserModel, userModel } from '../users/user.model';

type NewUser = Pick<User, 'username' | 'passwordHash'> & Partial<Pick<User, 'email' | 'emailVerified'>>;

function isOwnerConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err) || err.code !== 11000) return false;
  const pattern = 'keyPattern' in err ? (err.keyPattern as Record<string, unknown> | undefined) : undefined;
  return pattern !== undefined && 'role' in pattern;
}

/**
 * Creates an account. On an empty database it becomes the owner; otherwise it gets `role`. "Empty" is read
 * before the insert, so two first registrations racing may both try to be the owner: the unique index on
 * owners (user.model.ts) lets exactly one in, and the other is created again with `role`. A username taken
 * meanwhile still fails with the duplicate-key error the register handler turns into "That username is taken".
 */
export async function createAccount(users: UserModel, user: NewUser, role: Role) {
  const first = (await users.exists({})) === null;
  if (first) {
    try {
      return await users.create({ ...user, role: 'owner' });
    } catch (err) {
      if (!isOwnerConflict(err)) throw err;
    }
  }
  return users.create({ ...user, role });
}

/**
 * A database from before roles has accounts and no owner: the oldest account (the one who set the blog up)
 * becomes it, once. Idempotent; the unique index settles a race between two processes starting together.
 */
export async function ensureOwner(connection: Connection): Promise<void> {
  const users = userModel(connection);
  if (await users.exists({ role: 'owner' })) return;
  const oldest = await users
    .findOne({ deletedAt: { $exists: false } }, { _id: 1 })
    .sort({ _id: 1 })
    .lean();
  if (!oldest) return;
  await users.updateOne({ _id: oldest._id }, { $set: { role: 'owner' } }).catch((err: unknown) => {
    if (!isOwnerConflict(err)) throw err;
  });
}
