/**
 * What the two reference apps (bench/reference/tutorial.ts, bench/reference/hand-written.ts) share with the
 * benchmark: the account they sign in with, where they keep it and their sessions (collections of their own
 * in the benchmark's database, next to the posts Folio seeded, so no app reads another's sessions), and the
 * page they list — Folio's: the published posts, newest first, 10 a page.
 */

export const REFERENCE_USER = { username: 'alice', password: 'password123' } as const;
export const REFERENCE_USERS_COLLECTION = 'tutorial_users';
export const REFERENCE_SESSIONS_COLLECTION = 'tutorial_sessions';
/** express-session's default cookie name, which the tutorial keeps. */
export const REFERENCE_COOKIE_NAME = 'connect.sid';
export const REFERENCE_PAGE_SIZE = 10;

/** Folio's public list: published and due, newest first (src/posts/post-queries.ts), so all read the same posts. */
export function publishedFilter(now: Date) {
  return { status: 'published', publishedAt: { $lte: now } };
}
export const NEWEST_FIRST = { publishedAt: -1, _id: -1 } as const;

export function pageOf(raw: unknown): number {
  const n = Number(raw ?? 1);
  return Number.isInteger(n) && n >= 1 && n <= 10_000 ? n : 1;
}
