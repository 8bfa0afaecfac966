import type { z } from 'zod';
import { BadRequestError, FormError } from './errors';

export interface FormContext {
  /** The view that shows this form, re-rendered on 422. */
  readonly view: string;
  readonly locals?: Readonly<Record<string, unknown>>;
}

/**
 * Parses untrusted input with a zod schema. A field of the wrong type (an object where a string belongs,
 * as in `{"username":{"$gt":""}}`) is a malformed request → 400; a field a person got wrong → 422 with the
 * form re-rendered and one message per field. Only the parsed, typed output ever reaches a query.
 */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown, form: FormContext): z.output<S> {
  const body: Record<string, unknown> = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    const given = body[field];
    if (issue.code === 'invalid_type' && given !== undefined && typeof given !== 'string') {
      throw new BadRequestError(`Malformed field: ${field}`);
    }
    fieldErrors[field] ??= issue.message;
  }
  throw new FormError(422, form.view, form.locals ?? {}, fieldErrors, echoable(body));
}

/** Only plain string fields are echoed back into a form; anything else (objects, arrays) is dropped. */
export function echoable(input: unknown): Record<string, string> {
  if (!input || typeof input !== 'object') return {};
  return Object.fromEntries(
    Object.entries(input).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
