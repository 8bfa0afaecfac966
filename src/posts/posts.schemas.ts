import { z } from 'zod';
import { utcToLocalInput, zonedToUtc } from '../time/time-zone';
import { BODY_MAX, POST_STATUSES, TITLE_MAX } from './post.model';
import { parseTags } from './tags';

/**
 * `2026-12-01T09:30` (a datetime-local field, read in the writer's zone: src/time) or a full ISO time with
 * an offset (an API client that means an instant says so).
 */
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

function parseTime(raw: string, zone: string): Date | undefined {
  if (!DATETIME.test(raw)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const date = hasZone ? new Date(raw) : zonedToUtc(raw.replace(/\.\d+$/, ''), zone);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

/** The post form, for a given moment (a publish time must be later than it), in the writer's zone. */
export function postSchema(now: Date, zone = 'UTC') {
  return z.object({
    title: z
      .string({ error: 'Give the post a title' })
      .trim()
      .min(1, 'Give the post a title')
      .max(TITLE_MAX, `Keep the title to ${TITLE_MAX} characters`),
    body: z
      .string({ error: 'Write something' })
      .trim()
      .min(1, 'Write something')
      .max(BODY_MAX, `Keep the post to ${BODY_MAX.toLocaleString('en')} characters`),
    tags: z
      .string({ error: 'Tags are a comma-separated list' })
      .max(400, 'Keep the tags to 400 characters')
      .optional()
      .transform((raw, ctx) => {
        const parsed = parseTags(raw ?? '');
        if (parsed.ok) return parsed.tags;
        ctx.addIssue({ code: 'custom', message: parsed.message });
        return z.NEVER;
      }),
    // An uploaded picture's address (/images/<id>, as "Add an image" gives it) or its bare id; empty: none.
    coverImage: z
      .string({ error: 'Give the address of one of your pictures' })
      .trim()
      .max(300, 'Give the address of one of your pictures, such as /images/…')
      .optional()
      .transform((raw, ctx) => {
        if (!raw) return undefined;
        const id = /^(?:(?:https?:\/\/[^/]+)?\/images\/)?([0-9a-f]{32})$/.exec(raw)?.[1];
        if (!id) {
          ctx.addIssue({ code: 'custom', message: 'Give the address of one of your pictures, such as /images/…' });
          return z.NEVER;
        }
        return id;
      }),
    // The form's two buttons send it; an API client that sends none publishes, as before drafts existed.
    status: z.enum(POST_STATUSES, { error: 'Choose “Save draft” or “Publish”' }).optional().default('published'),
    publishAt: z
      .string({ error: 'Give a date and time' })
      .trim()
      .max(40, 'Give a date and time such as 2030-01-31T09:00')
      .optional()
      .transform((raw, ctx) => {
        if (!raw) return undefined;
        const at = parseTime(raw, zone);
        if (!at) {
          ctx.addIssue({ code: 'custom', message: `Give a date and time such as 2030-01-31T09:00 (${zone})` });
          return z.NEVER;
        }
        if (at.getTime() <= now.getTime()) {
          ctx.addIssue({ code: 'custom', message: 'Choose a time in the future, or leave it empty to publish now' });
          return z.NEVER;
        }
        return at;
      }),
  });
}

export type PostInput = z.output<ReturnType<typeof postSchema>>;

/** `?page=N`: anything that is not a positive whole number means page 1. */
export function parsePage(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return 1;
  return Math.max(1, Number(raw));
}

/** A datetime-local value for a form field, in the writer's zone. */
export function datetimeLocal(date: Date | null | undefined, zone = 'UTC'): string {
  return utcToLocalInput(date, zone);
}
