import bcrypt from 'bcrypt';

/** bcrypt's async API runs on libuv's thread pool, so hashing never blocks the event loop. */

export function hashPassword(plain: string, cost: number): Promise<string> {
  return bcrypt.hash(plain, cost);
}

/**
 * Compares against the user's hash, or — when there is no such user — against a fixed dummy hash of the
 * same cost, so "unknown user" and "wrong password" take the same time and cannot be told apart.
 */
export function createPasswordVerifier(cost: number) {
  let dummyHash: Promise<string> | undefined;
  return async function verifyPassword(plain: string, hash: string | undefined): Promise<boolean> {
    dummyHash ??= bcrypt.hash('folio-dummy-password-for-timing', cost);
    const matches = await bcrypt.compare(plain, hash ?? (await dummyHash));
    return hash !== undefined && matches;
  };
}
export type PasswordVerifier = ReturnType<typeof createPasswordVerifier>;
