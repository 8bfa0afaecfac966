import { z } from 'zod';
import { optionalEmailAddress } from '../account/email.schemas';
import { isCommonPassword, PASSWORD_MAX_CHARACTERS, PASSWORD_MIN_CHARACTERS, passwordLength } from './passwords';

export const USERNAME_PATTERN = /^[a-z0-9_-]{3,30}$/;

const username = z
  .string({ error: 'Enter a username' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter a username')
  .regex(USERNAME_PATTERN, 'Use 3–30 letters, digits, “_” or “-”');

/**
 * A new password (registration, change, reset): 8 to 256 characters of any script, counted as people count
 * them (code points, not bytes: "🔑🔑" is two), nothing truncated (see passwords.ts), and not one of the
 * common passwords attackers try first (ASVS 6.2.1, 6.2.9, 6.2.11).
 */
export const newPassword = z
  .string({ error: 'Enter a password' })
  .min(1, 'Enter a password')
  .refine((p) => passwordLength(p) >= PASSWORD_MIN_CHARACTERS, `Use at least ${PASSWORD_MIN_CHARACTERS} characters`)
  .refine((p) => passwordLength(p) <= PASSWORD_MAX_CHARACTERS, `Use at most ${PASSWORD_MAX_CHARACTERS} characters`)
  .refine((p) => !isCommonPassword(p), 'That password is too common: attackers try it first. Choose another');

/** HTML checkboxes send "on" when ticked and nothing otherwise; JSON clients may send a boolean. */
const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.boolean()])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true');

export const registerSchema = z.object({ username, password: newPassword, email: optionalEmailAddress });

/**
 * Bounded where it enters: a login username has the registration pattern (so a 99 kB "username" is refused
 * before it is checked, logged or used as a throttle key), a password at most the longest a new one may be.
 */
export const loginSchema = z.object({
  username: z
    .string({ error: 'Enter your username' })
    .trim()
    .toLowerCase()
    .min(1, 'Enter your username')
    .regex(USERNAME_PATTERN, 'Usernames are 3–30 letters, digits, “_” or “-”'),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(PASSWORD_MAX_CHARACTERS * 4, 'That is longer than any password here'),
  remember: checkbox,
  next: z.string().max(2048).optional(),
});
