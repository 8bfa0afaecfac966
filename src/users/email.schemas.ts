import { z } from 'zod';

/** Lower-cased, so one address is one address whatever the case it was typed in. */
export const emailAddress = z
  .string({ error: 'Enter your email address' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter your email address')
  .max(254, 'Use at most 254 characters')
  .pipe(z.email('Enter an address such as name@example.com'));

/** Registration: the field is optional, and a form sends an empty string when it is left blank. */
export const optionalEmailAddress = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(emailAddress.optional())
  .optional();

export const changeEmailSchema = z.object({
  email: emailAddress,
  currentPassword: z
    .string({ error: 'Enter your current password' })
    .min(1, 'Enter your current password')
    .max(1024, 'That is not your current password'),
});
