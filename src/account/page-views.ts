import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { hasSessionData } from '../session/session-ops';

export const PAGE_VIEWS_COLLECTION = 'pageviews';

/** How long counts wait in memory before one bulk write stores them all. */
const FLUSH_AFTER_MS = 1_000;

/**
 * The tutorial's `req.session.views`, kept beside the session instead of inside it: incrementing a field
 * of the session would rewrite the whole session document on every page view, which is exactly the write
 * a read-only page must not cost. Counted only once a session exists, and only for HTML pages.
 *
 * Counts are buffered: a page view adds one in memory, and at most once a second a single unordered bulk
 * write `$inc`s every session's pending views. An awaited write per view cost about 40% of a signed-in
 * page's throughput in `npm run bench`. What this process has not stored yet is added when it reads a count,
 * so a session's own page is exact; another process sees it within a second; a crash loses at most a
 * second of counts. Documents expire with a TTL index.
 */
export class PageViews {
  private pending = new Map<string, number>();
  /** The batch being written: still counted by count() until the write lands. */
  private inFlight = new Map<string, number>();
  /** How many batch writes have settled: count() re-reads when one settled during its read. */
  private landed = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The last bulk write: whether it stored its batch. */
  private writing: Promise<boolean> = Promise.resolve(true);

  constructor(
    private readonly connection: Connection,
    private readonly logger: Logger,
  ) {}

  private get collection() {
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    return db.collection<{ _id: string; views: number; updatedAt: Date }>(PAGE_VIEWS_COLLECTION);
  }

  increment(sessionId: string): void {
    this.pending.set(sessionId, (this.pending.get(sessionId) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
      // A pending flush never keeps the process alive on its own.
      this.timer.unref();
    }
  }

  /**
   * Stores every pending count in one bulk write. Failures are logged, not thrown: it is a counter. Resolves
   * true when nothing is left unstored (shutdown says "cleanly" only then).
   */
  async flush(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // Writes queue behind each other and flush() waits for the last: once it resolves, every count made before
    // it is stored, even if the timer's write was already under way (and two writes never race). Shutdown
    // must not close MongoDB under a write either.
    this.writing = this.writing.then((earlier) => (this.pending.size === 0 ? earlier : this.write()));
    return this.writing;
  }

  private async write(): Promise<boolean> {
    const batch = this.pending;
    this.pending = new Map();
    this.inFlight = batch;
    const now = new Date();
    try {
      await this.collection.bulkWrite(
        [...batch].map(([id, views]) => ({
          updateOne: { filter: { _id: id }, update: { $inc: { views }, $set: { updatedAt: now } }, upsert: true },
        })),
        // Journaled before it counts as stored: the last batch is written as the process stops, and a mongod
        // stopped (or killed) right after must not lose it with its journal buffer.
        { ordered: false, writeConcern: { journal: true } },
      );
      return true;
    } catch (err) {
      this.logger.warn({ err, sessions: batch.size }, 'page-view counts could not be stored');
      return false;
    } finally {
      this.inFlight = new Map();
      this.landed += 1;
    }
  }

  /**
   * Stored + being written + waiting. A batch that lands while the stored count is read may or may not be in
   * what the read saw, and is then also still in `inFlight` (it leaves it when the write settles): the read
   * is taken again, at most twice, until no batch landed during it.
   */
  async count(sessionId: string): Promise<number> {
    for (let attempt = 0; ; attempt += 1) {
      const landedBefore = this.landed;
      const stored = (await this.collection.findOne({ _id: sessionId }))?.views ?? 0;
      if (this.landed === landedBefore || attempt === 2) {
        return stored + (this.inFlight.get(sessionId) ?? 0) + (this.pending.get(sessionId) ?? 0);
      }
    }
  }

  async forget(sessionId: string): Promise<void> {
    this.pending.delete(sessionId);
    await this.collection.deleteOne({ _id: sessionId });
  }

  /** Counts GET page views of visitors who have a session. */
  middleware(): RequestHandler {
    return (req, _res, next) => {
      if (req.method === 'GET' && hasSessionData(req) && req.accepts(['html', 'json']) === 'html') {
        this.increment(req.sessionID);
      }
      next();
    };
  }
}
