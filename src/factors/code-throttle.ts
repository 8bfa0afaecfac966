import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { THROTTLE_COLLECTION } from '../security/login-throttle';

/** Wrong codes in a row on one account before codes are refused. */
export const CODE_FAILURES_PER_ACCOUNT = 10;
/** How long codes are then refused. */
export const CODE_LOCK_SECONDS = 3600;
/** A streak older than this is forgotten. */
const STREAK_SECONDS = 86_400;

export type CodeAttempt =
  | { readonly allowed: true /** Wrong codes still allowed after this one. */; readonly left: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Second-factor guesses, counted per *account* (issue 19): whoever is guessing already has the password, so
 * neither their address nor a right password may reset the count. One atomic `consume` on MongoDB per code,
 * taken before the code is checked, so many codes in flight at once cannot pass the limit together. After
 * CODE_FAILURES_PER_ACCOUNT wrong codes in a row, codes (authenticator and recovery) are refused for
 * CODE_LOCK_SECONDS. Only a right code (`clear`) or a completed password reset ends the streak.
 */
export class CodeThrottle {
  private readonly limiter: RateLimiterMongo;

  constructor(connection: Connection) {
    this.limiter = new RateLimiterMongo({
      storeClient: connection.getClient(),
      dbName: connection.name,
      tableName: THROTTLE_COLLECTION,
      keyPrefix: 'second_factor_account',
      points: CODE_FAILURES_PER_ACCOUNT,
      duration: STREAK_SECONDS,
      blockDuration: CODE_LOCK_SECONDS,
      disableIndexesCreation: true,
    });
  }

  async begin(userId: string): Promise<CodeAttempt> {
    try {
      const res = await this.limiter.consume(userId);
      return { allowed: true, left: res.remainingPoints };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
      throw err;
    }
  }

  async clear(userId: string): Promise<void> {
    await this.limiter.delete(userId);
  }
}
