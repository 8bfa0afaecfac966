import { randomBytes } from 'node:crypto';
import { type Connection, type mongo, Types } from 'mongoose';
import { hashToken } from '../users/account-tokens';
import type { Role } from '../users/roles';

export const INVITATIONS_COLLECTION = 'invitations';
/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 86_400_000;
/** A claimed invitation whose account was never created (its process died) is free again after this. */
const CLAIM_MS = 60_000;

export interface Invitation {
  readonly _id: Types.ObjectId;
  /** SHA-256 of the token, as for every other mailed link (src/recovery/tokens.ts). */
  readonly tokenHash: string;
  readonly email: string;
  readonly role: Role;
  readonly invitedById: string;
  readonly invitedBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** Set while a registration is using it; cleared if the account cannot be created (username taken). */
  readonly claimedAt?: Date;
  readonly usedAt?: Date;
  readonly usedById?: string;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type InvitationCheck =
  | { readonly ok: true; readonly invitation: Invitation }
  | { readonly ok: false; readonly problem: 'unknown' | 'expired' };

/** Invitations by mail: 256-bit tokens stored hashed, single use (an atomic claim), 7 days. */
export class Invitations {
  constructor(
    private readonly connection: Connection,
    private readonly now: () => number,
  ) {}

  private get collection(): mongo.Collection<Invitation> {
    return this.connection.collection<Invitation>(INVITATIONS_COLLECTION);
  }

  async issue(input: { email: string; role: Role; invitedById: string; invitedBy: string }): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.collection.insertOne({
      _id: new Types.ObjectId(),
      tokenHash: hashToken(token),
      email: input.email,
      role: input.role,
      invitedById: input.invitedById,
      invitedBy: input.invitedBy,
      createdAt: new Date(now),
      expiresAt: new Date(now + INVITATION_TTL_MS),
    });
    return token;
  }

  /** Looks a link up without using it (the invitation page). */
  async check(token: unknown): Promise<InvitationCheck> {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return { ok: false, problem: 'unknown' };
    const invitation = await this.collection.findOne({ tokenHash: hashToken(token) });
    if (!invitation) return { ok: false, problem: 'unknown' };
    if (invitation.usedAt || invitation.expiresAt.getTime() <= this.now()) return { ok: false, problem: 'expired' };
    return { ok: true, invitation };
  }

  /** Takes the invitation for one registration, atomically: of two racing, one gets it. */
  async claim(token: string): Promise<Invitation | null> {
    const now = this.now();
    return this.collection.findOneAndUpdate(
      {
        tokenHash: hashToken(token),
        usedAt: { $exists: false },
        expiresAt: { $gt: new Date(now) },
        $or: [{ claimedAt: { $exists: false } }, { claimedAt: { $lte: new Date(now - CLAIM_MS) } }],
      },
      { $set: { claimedAt: new Date(now) } },
      { returnDocument: 'after' },
    );
  }

  async release(id: Types.ObjectId): Promise<void> {
    await this.collection.updateOne({ _id: id, usedAt: { $exists: false } }, { $unset: { claimedAt: '' } });
  }

  async markUsed(id: Types.ObjectId, userId: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { usedAt: new Date(this.now()), usedById: userId } });
  }

  /** What the export shows: invitations the user sent, and the one they joined by. Never the token hash. */
  async aboutUser(userId: string) {
    return this.collection
      .find(
        { $or: [{ invitedById: userId }, { usedById: userId }] },
        { projection: { _id: 0, tokenHash: 0, claimedAt: 0, invitedById: 0, usedById: 0 } },
      )
      .toArray();
  }

  async forgetUser(userId: string, email?: string | null): Promise<void> {
    await this.collection.deleteMany({ $or: [{ invitedById: userId }, { usedById: userId }] });
    if (email) await this.collection.deleteMany({ email });
  }
}
