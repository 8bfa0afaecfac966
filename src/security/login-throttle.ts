import type { Connection } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';

/** Counters live in MongoDB, so every app process sees the same ones. */
export const THROTTLE_COLLECTION = 'throttles';

export interface ThrottleLimits {
  /** Failed logins for one account from one IP before that pair waits. */
  readonly failuresPerAccountAndIp: number;
  /** Failed logins from one IP, over all accounts (slows credential stuffing). */
  readonly failuresPerIp: number;
  /** Registration attempts from one IP. */
  readonly registrationsPerIp: number;
  readonly windowSeconds: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  failuresPerAccountAndIp: 5,
  failuresPerIp: 50,
  registrationsPerIp: 20,
  windowSeconds: 15 * 60,
};

/**
 * Login and registration throttling (rate-limiter-flexible on MongoDB).
 * Only failures count against logins, and per account *and* IP: an attacker can slow their own guesses
 * but cannot lock a victim out from the victim's own address, and nothing locks forever — counters
 * expire after the window. A successful login clears that pair's counter.
 */
export class AuthThrottle {
  private readonly byAccountAndIp: RateLimiterMongo;
  private readonly byIp: RateLimiterMongo;
  private readonly registrations: RateLimiterMongo;

  constructor(connection: Connection, limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {
    const common = {
      storeClient: connection.getClient(),
      dbName: connection.name,
      tableName: THROTTLE_COLLECTION,
      duration: limits.windowSeconds,
      // Indexes are made by prepareDatabase(), in order, before traffic (see prepare-database.ts).
      disableIndexesCreation: true,
    };
    this.byAccountAndIp = new RateLimiterMongo({
      ...common,
      keyPrefix: 'login_account_ip',
      points: limits.failuresPerAccountAndIp,
    });
    this.byIp = new RateLimiterMongo({ ...common, keyPrefix: 'login_ip', points: limits.failuresPerIp });
    this.registrations = new RateLimiterMongo({
      ...common,
      keyPrefix: 'register_ip',
      points: limits.registrationsPerIp,
    });
  }

  /**
   * Seconds to wait when this account+IP or this IP has failed too often, else 0.
   * Checked before the password, so a blocked pair gets no more guesses.
   */
  async loginRetryAfter(username: string, ip: string): Promise<number> {
    const [pair, address] = await Promise.all([this.byAccountAndIp.get(pairKey(username, ip)), this.byIp.get(ip)]);
    const blocked = [
      { res: pair, limit: this.byAccountAndIp.points },
      { res: address, limit: this.byIp.points },
    ].filter(({ res, limit }) => res !== null && res.consumedPoints >= limit);
    if (blocked.length === 0) return 0;
    return Math.max(1, Math.ceil(Math.max(...blocked.map(({ res }) => res?.msBeforeNext ?? 0)) / 1000));
  }

  async recordLoginFailure(username: string, ip: string): Promise<void> {
    await Promise.all([this.byAccountAndIp.penalty(pairKey(username, ip)), this.byIp.penalty(ip)]);
  }

  async recordLoginSuccess(username: string, ip: string): Promise<void> {
    await this.byAccountAndIp.delete(pairKey(username, ip));
  }

  /** Counts a registration attempt; seconds to wait when past the limit, else 0. */
  async registrationRetryAfter(ip: string): Promise<number> {
    const res = await this.registrations.penalty(ip);
    return res.consumedPoints > this.registrations.points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
  }
}

function pairKey(username: string, ip: string): string {
  return `${username}|${ip}`;
}
