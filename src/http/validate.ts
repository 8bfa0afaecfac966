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
  const result = schema.safeParse(withoutControlCharacters(body));
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

/**
 * Characters no text of Folio's may hold: C0 controls but tab, line feed and carriage return; DEL and the C1
 * controls; U+FFFE and U+FFFF; and unpaired surrogates. None is ever typed on purpose, and most are not
 * allowed in XML 1.0 at all: one in a title made /feed.xml not well-formed for every reader (issue 19).
 */
function isAllowed(code: number): boolean {
  if (code < 0x20) return code === 0x09 || code === 0x0a || code === 0x0d;
  return !(code >= 0x7f && code <= 0x9f) && code !== 0xfffe && code !== 0xffff;
}

/** The text without those characters (by code unit: a regex of control characters is itself a lint error). */
export function stripControlCharacters(text: string): string {
  let out = '';
  let clean = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
        continue;
      }
      clean = false;
    } else if ((code >= 0xdc00 && code <= 0xdfff) || !isAllowed(code)) {
      clean = false;
    } else {
      out += text[i];
    }
  }
  return clean ? text : out;
}

/** Passwords are compared, never shown or stored as text: they are left exactly as typed. */
const EXACT_FIELDS = /password/i;

/**
 * The parsing layer's one cleaning step, before any schema sees the input: every string field of a form or
 * JSON body (top level; bodies are flat) loses its control characters, so no feature stores one.
 */
export function withoutControlCharacters(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  return Object.fromEntries(
    Object.entries(input).map(([name, value]) => [
      name,
      typeof value === 'string' && !EXACT_FIELDS.test(name) ? stripControlCharacters(value) : value,
    ]),
  );
}
