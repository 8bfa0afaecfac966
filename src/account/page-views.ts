import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import { hasSessionData } from '../session/session-ops';

export const PAGE_VIEWS_COLLECTION = 'pageviews';

/**
 * The tutorial's `req.session.views`, kept beside the session instead of inside it: incrementing a field
 * of the session would rewrite the whole session document on every page view, which is exactly the write
 * a read-only page must not cost. One small `$inc` on its own collection, keyed by session id, counts
 * instead — only once a session exists, and only for HTML pages. Documents expire with a TTL index.
 */
export class PageViews {
  constructor(private readonly connection: Connection) {}

  private get collection() {
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    return db.collection<{ _id: string; views: number; updatedAt: Date }>(PAGE_VIEWS_COLLECTION);
  }

  async increment(sessionId: string): Promise<void> {
    await this.collection.updateOne(
      { _id: sessionId },
      { $inc: { views: 1 }, $set: { updatedAt: new Date() } },
      { upsert: true },
    );
  }

  async count(sessionId: string): Promise<number> {
    return (await this.collection.findOne({ _id: sessionId }))?.views ?? 0;
  }

  async forget(sessionId: string): Promise<void> {
    await this.collection.deleteOne({ _id: sessionId });
  }

  /** Counts GET page views of visitors who have a session. */
  middleware(): RequestHandler {
    return async (req, _res, next) => {
      if (req.method === 'GET' && hasSessionData(req) && req.accepts(['html', 'json']) === 'html') {
        await this.increment(req.sessionID);
      }
      next();
    };
  }
}
