import { hashPassword } from '../security/passwords';
import type { SessionStore } from '../session/session-store';
import type { UserModel } from './user.model';

export interface CredentialsDeps {
  readonly users: UserModel;
  readonly sessions: SessionStore;
  readonly bcryptCost: number;
}

/**
 * Sets a user's password (change or reset): stores the new hash, bumps the credentials version and ends every
 * session of the user except `keepSessionId`, for good (see session-store.ts). The version bump is what
 * defeats sign-ins in flight: one that checked the old password before this ran re-reads the version after
 * saving its session (`keepIfCredentialsCurrent`) and ends itself.
 */
export async function setPassword(
  deps: CredentialsDeps,
  input: { readonly userId: string; readonly newPassword: string; readonly keepSessionId?: string },
): Promise<{ sessionsEnded: number }> {
  const passwordHash = await hashPassword(input.newPassword, deps.bcryptCost);
  await deps.users.updateOne({ _id: input.userId }, { $set: { passwordHash }, $inc: { credentialsVersion: 1 } });
  const sessionsEnded = await deps.sessions.endAllForUser(input.userId, 'password_changed', input.keepSessionId);
  return { sessionsEnded };
}

/**
 * Called by a sign-in after its new session is stored. If the user's credentials changed since the password
 * was checked (`checkedVersion`), the session is ended at once and false returned. Why this closes the race:
 * a change bumps the version *before* it ends sessions. Either this read sees the bump (and the sign-in ends
 * itself), or it ran before the bump — so the session was stored before the change ended every session of
 * the user, and that ended it.
 */
export async function keepIfCredentialsCurrent(
  deps: Pick<CredentialsDeps, 'users' | 'sessions'>,
  input: { readonly userId: string; readonly checkedVersion: number; readonly sessionId: string },
): Promise<boolean> {
  const now = await deps.users.findById(input.userId, { credentialsVersion: 1, suspendedAt: 1 }).lean();
  // Suspension sets suspendedAt before it ends sessions: the same argument closes that race too.
  if (now && !now.suspendedAt && (now.credentialsVersion ?? 0) === input.checkedVersion) return true;
  await deps.sessions.endById(input.sessionId, 'password_changed');
  return false;
}
