import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { clientKey } from './client-address';
import { THROTTLE_COLLECTION } from './login-throttle';

export interface MailLimits {
  /** Mails to one address (reset links, verification links, notices) per window. */
  readonly perAddress: number;
  /** Reset and verification requests from one client address per window. */
  readonly perIp: number;
  readonly windowSeconds: number;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = { perAddress: 3, perIp: 20, windowSeconds: 3_600 };

/**
 * Keeps Folio from being used to flood a mailbox, and a client from probing or spamming through the
 * recovery forms. Counted in MongoDB with rate-limiter-flexible's atomic `consume`, so concurrent
 * requests on any number of processes cannot send past the limit together. Callers answer the same either
 * way: a throttled request merely sends nothing.
 */
export class MailThrottle {
  private readonly byAddress: RateLimiterMongo;
  private readonly byIp: RateLimiterMongo;

  constructor(connection: Connection, limits: MailLimits = DEFAULT_MAIL_LIMITS) {
    const common = {
      storeClient: connection.getClient(),
      dbName: connection.name,
      tableName: THROTTLE_COLLECTION,
      duration: limits.windowSeconds,
      // The collection and its indexes are made by prepareDatabase(), before traffic.
      disableIndexesCreation: true,
    };
    this.byAddress = new RateLimiterMongo({ ...common, keyPrefix: 'mail_address', points: limits.perAddress });
    this.byIp = new RateLimiterMongo({ ...common, keyPrefix: 'mail_ip', points: limits.perIp });
  }

  /** A request from this client (an IPv6 /64 counts as one): false once it has asked too often. */
  requestFrom(ip: string | undefined): Promise<boolean> {
    return take(this.byIp, clientKey(ip));
  }

  /** One mail to this address: false once it has had its share this hour. */
  mailTo(address: string): Promise<boolean> {
    return take(this.byAddress, address.toLowerCase());
  }
}

/** The counter of mails to one address (`mail_address:<address>`), for forgetting a user. */
export function mailAddressKeys(address: string): RegExp {
  return new RegExp(`^mail_address:${address.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

async function take(limiter: RateLimiterMongo, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (err) {
    // consume rejects with a RateLimiterRes when the limit is reached; anything else is a real failure.
    if (err instanceof RateLimiterRes) return false;
    throw err;
  }
}
