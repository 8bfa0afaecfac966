import { TAGS_MAX } from './post.model';

export const TAG_MAX_LENGTH = 30;
export const TAG_PATTERN = /^[a-z0-9-]{1,30}$/;

/**
 * "Node.js" → "node-js": accents dropped, anything but a–z and 0–9 becomes one hyphen, no hyphen at either
 * end. May return "" (nothing left) or something too long: the caller decides those are errors.
 */
export function slugifyTag(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export type ParsedTags = { ok: true; tags: string[] } | { ok: false; message: string };

/** The form's comma-separated `tags` field → distinct slugs, in the order given. Blank entries are ignored. */
export function parseTags(input: string): ParsedTags {
  const tags: string[] = [];
  for (const piece of input.split(',')) {
    if (piece.trim() === '') continue;
    const slug = slugifyTag(piece);
    if (slug === '')
      return { ok: false, message: `“${piece.trim().slice(0, 40)}” has no letters or digits to make a tag` };
    if (slug.length > TAG_MAX_LENGTH)
      return { ok: false, message: `Keep each tag to ${TAG_MAX_LENGTH} characters (“${slug.slice(0, 40)}”)` };
    if (!tags.includes(slug)) tags.push(slug);
  }
  if (tags.length > TAGS_MAX) return { ok: false, message: `At most ${TAGS_MAX} tags` };
  return { ok: true, tags };
}
