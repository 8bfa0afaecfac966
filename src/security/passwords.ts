import { createHash } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import bcrypt from 'bcrypt';

/**
 * Password hashing. bcrypt reads only the first 72 *bytes*, which is 18 emoji or 36 Cyrillic letters: hashing
 * the password itself would silently truncate long passphrases. So the password (NFKC-normalised, as NIST
 * 800-63B asks, so the same characters typed on another keyboard match) is first reduced to its SHA-256
 * digest in base64 — 44 bytes with no NUL — and that is what bcrypt hashes. The stored string says which
 * scheme made it: hashes made before this change (plain bcrypt) still verify, and are upgraded at the next
 * sign-in. bcrypt's async API runs on libuv's thread pool, so hashing never blocks the event loop.
 */
const PREHASHED = '$folio-sha256$';

function prehash(plain: string): string {
  return createHash('sha256').update(plain.normalize('NFKC'), 'utf8').digest('base64');
}

export async function hashPassword(plain: string, cost: number): Promise<string> {
  return PREHASHED + (await bcrypt.hash(prehash(plain), cost));
}

/** True for a hash of the old scheme (or another cost): the caller stores a fresh one after a sign-in. */
export function needsRehash(stored: string, cost: number): boolean {
  return !stored.startsWith(PREHASHED) || bcrypt.getRounds(stored.slice(PREHASHED.length)) !== cost;
}

function compare(plain: string, stored: string): Promise<boolean> {
  return stored.startsWith(PREHASHED)
    ? bcrypt.compare(prehash(plain), stored.slice(PREHASHED.length))
    : bcrypt.compare(plain, stored);
}

/**
 * Compares against the user's hash, or — when there is no such user — against a fixed dummy hash of the
 * same cost, so "unknown user" and "wrong password" take the same time and cannot be told apart.
 */
export function createPasswordVerifier(cost: number) {
  let dummyHash: Promise<string> | undefined;
  return async function verifyPassword(plain: string, hash: string | undefined): Promise<boolean> {
    dummyHash ??= hashPassword('folio-dummy-password-for-timing', cost);
    const matches = await compare(plain, hash ?? (await dummyHash));
    return hash !== undefined && matches;
  };
}
export type PasswordVerifier = ReturnType<typeof createPasswordVerifier>;

/** Passwords counted in characters (code points), as people count them, not in UTF-8 bytes. */
export const PASSWORD_MIN_CHARACTERS = 8;
export const PASSWORD_MAX_CHARACTERS = 256;

export function passwordLength(plain: string): number {
  return [...plain].length;
}

let common: ReadonlySet<string> | undefined;

/** The ~49,000 most common passwords (zxcvbn-ts's list), case-insensitively; loaded on first use. */
export function isCommonPassword(plain: string): boolean {
  common ??= new Set(dictionary['passwords-common']);
  return common.has(plain.toLowerCase());
}
