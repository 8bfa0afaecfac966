import type { Request, RequestHandler, Response } from 'express';
import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../http/errors';
import { THROTTLE_COLLECTION } from './login-throttle';

export interface RateLimitOptions {
  /** Names the counter: `post` (create and edit), `comment`… */
  readonly key: string;
  /** Requests allowed per user in `duration` seconds. */
  readonly points: number;
  readonly duration: number;
}

export interface WriteLimits {
  readonly post: RateLimitOptions;
  readonly comment: RateLimitOptions;
}

/** Enough for anyone writing by hand; a script posting in a loop waits. */
export const DEFAULT_WRITE_LIMITS: WriteLimits = {
  post: { key: 'post', points: 30, duration: 10 * 60 },
  comment: { key: 'comment', points: 10, duration: 60 },
};

/** The form to show again, with what was typed, when a browser's submission is refused (429). */
export type ThrottledFormOf = (req: Request, res: Response) => { view: string; locals: Record<string, unknown> };

export type RateLimit = (options: RateLimitOptions, form?: ThrottledFormOf) => RequestHandler;

/** The counters of one user's write limits (`write_<key>:<userId>`), for forgetting a user. */
export function writeLimitKeys(userId: string): RegExp {
  return new RegExp(`^write_[a-z_]+:${userId.replace(/[^a-f0-9]/gi, '')}$`);
}

/**
 * Per-user rate limits as route guards: `rateLimit(limits.post)` after isAuthenticated. Counters live in
 * MongoDB (every process sees them) and are taken with rate-limiter-flexible's atomic `consume` before the
 * handler runs, so concurrent requests cannot pass the limit together. Past it: TooManyRequestsError, which
 * the error handler answers with 429 and Retry-After.
 */
export function createRateLimit(connection: Connection, now: () => number = Date.now): RateLimit {
  const limiters = new Map<string, RateLimiterMongo>();
  const limiterFor = ({ key, points, duration }: RateLimitOptions) => {
    const id = `${key}:${points}:${duration}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterMongo({
        storeClient: connection.getClient(),
        dbName: connection.name,
        tableName: THROTTLE_COLLECTION,
        keyPrefix: `write_${key}`,
        points,
        duration,
        // prepareDatabase() makes the collection and its indexes before traffic.
        disableIndexesCreation: true,
      });
      limiters.set(id, limiter);
    }
    return limiter;
  };

  return (options, form) => {
    const limiter = limiterFor(options);
    return async (req, res, next) => {
      const userId = req.session.user?.id;
      if (!userId) throw new Error('rateLimit guards run after isAuthenticated');
      try {
        await limiter.consume(userId);
      } catch (rejection) {
        // A RateLimiterRes is "over the limit"; anything else is a store failure and goes on as an error.
        if (rejection instanceof RateLimiterRes) {
          const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          const shown = form?.(req, res);
          const values = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
          throw new TooManyRequestsError(seconds, shown && { ...shown, values, now: now() });
        }
        throw rejection;
      }
      next();
    };
  };
}
