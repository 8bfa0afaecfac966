import type { RequestHandler } from 'express';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';

declare module 'express-session' {
  interface SessionData {
    /** When this signed-in session last sent a write under /posts (markListWrites). */
    wroteAt: number;
  }
}

/**
 * Query results that every visitor's page shows alike (the public list of posts), kept in this process so a
 * signed-in view costs the session read and a render, not the list query too. The same freshness as the page
 * cache, whose clear() clears this (app.ts): a write in this process forgets everything at once, a write in
 * another shows within `seconds`. A result loaded while a clear happened is not kept.
 *
 * Read-your-writes across processes: a signed-in write under /posts marks its session (`wroteAt`), and for
 * `seconds` after that the session's own views skip the shared results (see `recentlyWrote`), so a writer
 * sees their post, edit or comment at once on any process.
 */
export class SharedResults {
  private readonly cache: LRUCache<string, { value: unknown }> | undefined;
  private generation = 0;

  constructor(
    readonly seconds: number,
    options: { readonly max?: number; readonly now?: Clock } = {},
  ) {
    this.cache =
      seconds > 0
        ? new LRUCache({
            max: options.max ?? 500,
            ttl: seconds * 1000,
            // The app's clock, like the page cache's: tests move it instead of sleeping.
            ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
          })
        : undefined;
  }

  clear(): void {
    this.generation += 1;
    this.cache?.clear();
  }

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache?.get(key);
    if (hit) return hit.value as T;
    const startedAt = this.generation;
    const value = await load();
    if (this.cache && startedAt === this.generation) this.cache.set(key, { value });
    return value;
  }
}

/**
 * A session's mark is renewed at most once per this interval, so a burst of writes costs one session write,
 * not one each; the fresh-read window is longer by the same amount, so it still covers the latest write.
 */
const MARK_EVERY_MS = 1_000;

/** Whether this visitor wrote within the shared results' lifetime, so their views must read fresh. */
export function recentlyWrote(wroteAt: unknown, now: number, seconds: number): boolean {
  return typeof wroteAt === 'number' && now - wroteAt < seconds * 1000 + MARK_EVERY_MS;
}

/**
 * Marks a signed-in visitor's session when they send a write that can change the public lists (posts,
 * edits, deletions, comments: everything under /posts). Set before the handler runs, so it is saved with
 * the session whatever the handler does; a refused write only costs its author a few fresh reads.
 */
export function markListWrites(now: Clock, writesUnder: RegExp): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'POST' && req.session?.user && writesUnder.test(req.path)) {
      const at = now();
      const last = req.session.wroteAt;
      if (typeof last !== 'number' || at - last >= MARK_EVERY_MS || at < last) req.session.wroteAt = at;
    }
    next();
  };
}
