import { z } from 'zod';
import { emailAddress } from '../users/email.schemas';
import { newPassword } from '../users/new-password';

export const forgotSchema = z.object({ email: emailAddress });

/** The same password rules as registration. The form repeats the password; an API client may leave that out. */
export const resetPasswordSchema = z
  .object({
    password: newPassword,
    confirmPassword: z.string().max(1024).optional(),
  })
  .refine((v) => v.confirmPassword === undefined || v.confirmPassword === v.password, {
    path: ['confirmPassword'],
    message: 'The two passwords differ',
  });
