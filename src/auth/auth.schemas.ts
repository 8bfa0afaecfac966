import { z } from 'zod';
import { PASSWORD_MAX_CHARACTERS } from '../security/passwords';
import { optionalEmailAddress } from '../users/email.schemas';
import { newPassword } from '../users/new-password';

export const USERNAME_PATTERN = /^[a-z0-9_-]{3,30}$/;

const username = z
  .string({ error: 'Enter a username' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter a username')
  .regex(USERNAME_PATTERN, 'Use 3–30 letters, digits, “_” or “-”');

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
