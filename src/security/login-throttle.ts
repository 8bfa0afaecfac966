import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { clientKey } from './client-address';

/** Counters live in MongoDB, so every app process sees the same ones. */
export const THROTTLE_COLLECTION = 'throttles';

export interface ThrottleLimits {
  /** Password attempts for one account from one client (IPv4 address or IPv6 /64) before that pair waits. */
  readonly failuresPerAccountAndIp: number;
  /** Password attempts from one client over all accounts (slows credential stuffing). */
  readonly failuresPerIp: number;
  /** Consecutive failures on one account from anywhere before it slows down (NIST 800-63B 5.2.2: ≤ 100). */
  readonly failuresPerAccount: number;
  /** Registration attempts from one client. */
  readonly registrationsPerIp: number;
  /** New anonymous sessions one client may create per minute (a cookieless "save for later" makes one). */
  readonly anonymousSessionsPerMinute: number;
  readonly windowSeconds: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  failuresPerAccountAndIp: 5,
  failuresPerIp: 50,
  failuresPerAccount: 100,
  registrationsPerIp: 20,
  anonymousSessionsPerMinute: 30,
  windowSeconds: 15 * 60,
};

/** A password check may go ahead (and how many more may fail before the pair waits), or must wait. */
export type Attempt =
  | { readonly allowed: true; readonly attemptsLeft: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Password-guessing and flooding limits (rate-limiter-flexible on MongoDB).
 *
 * Every attempt is *consumed* atomically before bcrypt runs — one `findOneAndUpdate … $inc` per counter — so
 * 40 guesses sent at once cannot all be checked before the first failure is recorded: exactly the allowed
 * number proceed, the rest get 429. A right password gives its attempt back. The counters:
 * - account + client: 5 per 15 min. An attacker slows their own guesses but cannot lock the owner out from
 *   the owner's own address;
 * - client: 50 per 15 min over all accounts;
 * - account, from anywhere: after 100 consecutive failures the account accepts one attempt a minute (from
 *   whoever comes first) until a sign-in succeeds or a day passes — a distributed attack is slowed to a crawl,
 *   while the owner is delayed, never locked out.
 * Nothing locks forever: counters expire.
 */
const ACCOUNT_PREFIXES = ['login_account_ip', 'login_account', 'login_account_slow'] as const;

/**
 * The throttle documents that name an account: rate-limiter-flexible stores `prefix:key`, and the account's
 * keys are `username` or `username|client` (for forgetting a user: throttles.personal-data.ts).
 */
export function accountThrottleKeys(username: string): RegExp {
  const name = username.replace(/[^a-z0-9_-]/g, '');
  return new RegExp(`^(${ACCOUNT_PREFIXES.join('|')}):${name}(\\||$)`);
}

export class AuthThrottle {
  private readonly byAccountAndIp: RateLimiterMongo;
  private readonly byIp: RateLimiterMongo;
  private readonly byAccount: RateLimiterMongo;
  private readonly accountSlowLane: RateLimiterMongo;
  private readonly registrations: RateLimiterMongo;
  private readonly anonymousSessions: RateLimiterMongo;

  constructor(connection: Connection, limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {
    const limiter = (keyPrefix: string, points: number, duration: number) =>
      new RateLimiterMongo({
        storeClient: connection.getClient(),
        dbName: connection.name,
        tableName: THROTTLE_COLLECTION,
        keyPrefix,
        points,
        duration,
        // Indexes are made by prepareDatabase(), in order, before traffic (see prepare-database.ts).
        disableIndexesCreation: true,
      });
    const [accountAndIp, account, slowLane] = ACCOUNT_PREFIXES;
    this.byAccountAndIp = limiter(accountAndIp, limits.failuresPerAccountAndIp, limits.windowSeconds);
    this.byIp = limiter('login_ip', limits.failuresPerIp, limits.windowSeconds);
    this.byAccount = limiter(account, limits.failuresPerAccount, 86_400);
    this.accountSlowLane = limiter(slowLane, 1, 60);
    this.registrations = limiter('register_ip', limits.registrationsPerIp, limits.windowSeconds);
    this.anonymousSessions = limiter('anon_session_ip', limits.anonymousSessionsPerMinute, 60);
  }

  /** Takes one password attempt for this account from this client, before the password is checked. */
  async beginPasswordAttempt(username: string, ip: string | undefined): Promise<Attempt> {
    const client = clientKey(ip);
    const [pair, address, account] = await Promise.all([
      consume(this.byAccountAndIp, `${username}|${client}`),
      consume(this.byIp, client),
      consume(this.byAccount, username),
    ]);
    const slow = account.allowed ? account : await consume(this.accountSlowLane, username);
    if (!pair.allowed || !address.allowed || !slow.allowed) {
      return { allowed: false, retryAfterSeconds: longestWait([pair, address, slow]) };
    }
    return { allowed: true, attemptsLeft: Math.min(pair.remaining, address.remaining) };
  }

  /** The password was right: that attempt does not count, and the account's failure streak ends. */
  async passwordAccepted(username: string, ip: string | undefined): Promise<void> {
    const client = clientKey(ip);
    await Promise.all([
      this.byAccountAndIp.delete(`${username}|${client}`),
      this.byAccount.delete(username),
      this.byIp.reward(client, 1),
    ]);
  }

  /** Counts a registration attempt; seconds to wait when past the limit, else 0. */
  async registrationRetryAfter(ip: string | undefined): Promise<number> {
    const res = await consume(this.registrations, clientKey(ip));
    return res.allowed ? 0 : res.retryAfterSeconds;
  }

  /** Counts a new anonymous session for this client; seconds to wait when past the limit, else 0. */
  async newSessionRetryAfter(ip: string | undefined): Promise<number> {
    const res = await consume(this.anonymousSessions, clientKey(ip));
    return res.allowed ? 0 : res.retryAfterSeconds;
  }
}

type Consumed =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, and with an Error on failure. */
async function consume(limiter: RateLimiterMongo, key: string): Promise<Consumed> {
  try {
    const res = await limiter.consume(key);
    return { allowed: true, remaining: res.remainingPoints };
  } catch (err) {
    if (err instanceof RateLimiterRes) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    }
    throw err;
  }
}

function longestWait(refused: readonly Consumed[]): number {
  return Math.max(...refused.map((r) => (r.allowed ? 0 : r.retryAfterSeconds)));
}
