import { z } from 'zod';
import {
  isCommonPassword,
  PASSWORD_MAX_CHARACTERS,
  PASSWORD_MIN_CHARACTERS,
  passwordLength,
} from '../security/passwords';

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
