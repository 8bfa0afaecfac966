import type { Request } from 'express';
import { FormError } from '../http/errors';
import { parseForm } from '../http/validate';
import { changePasswordSchema } from './account.schemas';

type ChangePassword = ReturnType<typeof changePasswordSchema.parse>;

/**
 * The password form's problems, all in one round (issue 25): the schema's, the mismatch even when the new
 * password itself was refused (zod skips an object's refinements once a field fails), and — whenever a
 * current password was typed — whether it is right. `checkCurrent` is the throttled check; it runs at most
 * once. Throws the 422 with every message; returns the input when there is none.
 */
export async function parsePasswordChange(
  req: Request,
  form: { readonly view: string; readonly locals: Readonly<Record<string, unknown>> },
  checkCurrent: (password: string) => Promise<boolean>,
): Promise<ChangePassword> {
  let input: ChangePassword | undefined;
  let errors: Record<string, string> = {};
  try {
    input = parseForm(changePasswordSchema, req.body, form);
  } catch (err) {
    if (!(err instanceof FormError) || err.status !== 422) throw err;
    errors = { ...err.fieldErrors };
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  const { newPassword, confirmPassword, currentPassword } = body;
  if (
    !errors.confirmPassword &&
    typeof newPassword === 'string' &&
    typeof confirmPassword === 'string' &&
    newPassword !== confirmPassword
  ) {
    errors.confirmPassword = 'The two new passwords differ';
  }
  if (!errors.currentPassword && typeof currentPassword === 'string' && currentPassword !== '') {
    if (!(await checkCurrent(currentPassword))) errors.currentPassword = 'That is not your current password';
  }
  if (input && Object.keys(errors).length === 0) return input;
  throw new FormError(422, form.view, form.locals, errors, {});
}
