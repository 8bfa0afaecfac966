import { type Connection, type InferSchemaType, type Model, Schema } from 'mongoose';
import { ROLES } from './roles';

const userSchema = new Schema(
  {
    // Stored lower-case, so the unique index makes usernames unique regardless of case.
    username: { type: String, required: true, lowercase: true, trim: true, unique: true },
    passwordHash: { type: String, required: true },
    // Bumped by every password change or reset: a sign-in that checked an older password is not kept.
    credentialsVersion: { type: Number, default: 0 },
    // Account deletion (src/account-deletion): disabled at deletedAt, purged for good after purgeAfter.
    deletedAt: { type: Date },
    purgeAfter: { type: Date },
    // Set by the one process that purges the account; a cancellation needs it absent.
    purgeClaimedAt: { type: Date },
    // Optional. Lower-cased, so uniqueness (below) ignores case. Until verified it recovers nothing.
    email: { type: String, lowercase: true, trim: true },
    emailVerified: { type: Boolean },
    // Staff role (src/roles). Absent on accounts made before roles: they count as authors (roleOf).
    role: { type: String, enum: ROLES },
    // Set while an administrator has suspended the account: sign-in refused (auth/sign-in.service.ts),
    // posts and comments hidden (src/roles).
    suspendedAt: { type: Date },
    // The IANA zone its browser reported at the last sign-in (src/time): forms and pages use it, mails name it.
    timeZone: { type: String },
  },
  {
    timestamps: true,
    strict: 'throw',
    // Acknowledged only once a majority of the replica set has it: a failover cannot roll it back.
    writeConcern: { w: 'majority' },
  },
);

// Unique among verified addresses only: typing someone else's address blocks nobody, and a stranger
// learns nothing from registering with it. Password reset looks addresses up through this index.
userSchema.index({ email: 1 }, { unique: true, partialFilterExpression: { emailVerified: true } });

// Exactly one owner, whatever registrations race (src/roles/owner.ts).
userSchema.index({ role: 1 }, { unique: true, partialFilterExpression: { role: 'owner' }, name: 'one_owner' });

// Accounts whose grace period has run out, for the purge.
userSchema.index({ purgeAfter: 1 }, { sparse: true });

export type User = InferSchemaType<typeof userSchema>;
export type UserModel = Model<User>;

export function userModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model<User>('User', userSchema);
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;
}
