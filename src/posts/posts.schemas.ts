import { z } from 'zod';
import { BODY_MAX, TITLE_MAX } from './post.model';

export const postSchema = z.object({
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
});

/** `?page=N`: anything that is not a positive whole number means page 1. */
export function parsePage(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return 1;
  return Math.max(1, Number(raw));
}
