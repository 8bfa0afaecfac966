import { z } from 'zod';

export const USERNAME_PATTERN = /^[a-z0-9_-]{3,30}$/;

const username = z
  .string({ error: 'Enter a username' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter a username')
  .regex(USERNAME_PATTERN, 'Use 3–30 letters, digits, “_” or “-”');

/** bcrypt only reads the first 72 bytes; longer passwords would be silently truncated, so refuse them. */
export const newPassword = z
  .string({ error: 'Enter a password' })
  .min(1, 'Enter a password')
  .refine((p) => Buffer.byteLength(p, 'utf8') >= 8, 'Use at least 8 characters')
  .refine((p) => Buffer.byteLength(p, 'utf8') <= 72, 'Use at most 72 bytes (bcrypt ignores the rest)');

/** HTML checkboxes send "on" when ticked and nothing otherwise; JSON clients may send a boolean. */
const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.boolean()])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true');

export const registerSchema = z.object({ username, password: newPassword });

export const loginSchema = z.object({
  username: z.string({ error: 'Enter your username' }).trim().toLowerCase().min(1, 'Enter your username'),
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password'),
  remember: checkbox,
  next: z.string().optional(),
});
