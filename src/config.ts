import { hkdfSync, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from './paths';

/**
 * The one place that reads the environment. Everything else receives a frozen, typed Config.
 * Invalid configuration throws ConfigError listing every problem, so the process can print one line
 * per problem and exit 1 instead of failing later in a confusing way.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const intFrom = (min: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min))
    .optional()
    .transform((v) => v ?? fallback);

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
  .optional();

const envSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'], { message: 'must be development, production or test' })
      .default('development'),
    PORT: intFrom(0, 3000).pipe(z.number().max(65535, 'must be at most 65535')),
    HOST: z.string().trim().min(1).optional(),
    MONGODB_URI: z
      .string()
      .trim()
      .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    SESSION_SECRET: z.string().optional(),
    DATA_ENCRYPTION_KEY: z.string().optional(),
    SESSION_IDLE_MINUTES: intFrom(1, 30),
    SESSION_ABSOLUTE_HOURS: intFrom(1, 12),
    REMEMBER_ME_DAYS: intFrom(1, 30),
    // 4 is bcrypt's own floor; below 10 only outside production (tests: ~1 ms a hash instead of ~60), see superRefine.
    BCRYPT_COST: intFrom(4, 12).pipe(z.number().max(15, 'must be at most 15 (each step doubles the time)')),
    TRUST_PROXY: z.string().trim().min(1).optional(),
    COOKIE_SECURE: booleanString,
    LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    ALLOWED_HOSTS: z.string().trim().optional(),
    PUBLIC_URL: z
      .string()
      .trim()
      .regex(/^https?:\/\/[^/\s?#]+\/?$/, 'must be an origin such as https://blog.example.com (no path)')
      .optional(),
    SMTP_URL: z
      .string()
      .trim()
      .regex(/^smtps?:\/\/\S+$/, 'must start with smtp:// or smtps://')
      .optional(),
    MAIL_FROM: z.string().trim().min(3).default('Folio <no-reply@localhost>'),
    REAUTH_MINUTES: intFrom(0, 10),
    SECURITY_LOG_DAYS: intFrom(1, 365),
    DELETION_GRACE_DAYS: intFrom(0, 7),
    PAGE_CACHE_SECONDS: intFrom(0, 5),
    RESET_TOKEN_MINUTES: intFrom(1, 30),
    VERIFY_TOKEN_HOURS: intFrom(1, 24),
    IMAGE_MAX_MB: intFrom(1, 10).pipe(z.number().max(100, 'must be at most 100')),
    IMAGE_QUOTA_MB: intFrom(1, 200),
    // mongodb-memory-server's own variables, read here too so the embedded mode is configured in one place.
    MONGOMS_SYSTEM_BINARY: z.string().optional(),
    MONGOMS_VERSION: z.string().default('7.0.15'),
    FOLIO_MONGOD_CACHE: z.string().optional(),
    MONGO_DATA_DIR: z.string().trim().min(1).optional(),
    XDG_CACHE_HOME: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.TRUST_PROXY === 'true') {
      ctx.addIssue({
        code: 'custom',
        path: ['TRUST_PROXY'],
        message:
          'true would trust any X-Forwarded-For (clients could pick their IP): give a hop count such as 1, or addresses such as loopback',
      });
    }
    if (env.NODE_ENV !== 'production') return;
    if (env.BCRYPT_COST < 10) {
      ctx.addIssue({ code: 'custom', path: ['BCRYPT_COST'], message: 'must be at least 10 in production' });
    }
    if (env.SMTP_URL && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'is required in production when SMTP_URL is set (links in mail are built from it)',
      });
    }
    const secrets = splitSecrets(env.SESSION_SECRET);
    if (secrets.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production' });
    } else if (secrets.some((s) => s.length < 32)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: 'every secret must be at least 32 characters in production',
      });
    }
    const dataKeys = splitSecrets(env.DATA_ENCRYPTION_KEY);
    if (dataKeys.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['DATA_ENCRYPTION_KEY'], message: 'is required in production' });
    } else if (dataKeys.some((k) => k.length < 32)) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATA_ENCRYPTION_KEY'],
        message: 'every key must be at least 32 characters in production',
      });
    }
    if (!env.MONGODB_URI) {
      ctx.addIssue({
        code: 'custom',
        path: ['MONGODB_URI'],
        message: 'is required in production (the embedded MongoDB is for development only)',
      });
    }
  });

export type LogLevel = (typeof LOG_LEVELS)[number];
export type TrustProxy = false | number | string;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly isProduction: boolean;
  readonly port: number;
  readonly host: string;
  /** Unset: the process starts an embedded MongoDB. */
  readonly mongodbUri: string | undefined;
  readonly session: {
    /** The first signs; all verify, so secrets can be rotated without signing everyone out. */
    readonly secrets: readonly string[];
    /** True when no SESSION_SECRET was given and a random one was made for this process. */
    readonly secretIsEphemeral: boolean;
    readonly cookieName: string;
    readonly cookieSecure: boolean;
    readonly idleMs: number;
    readonly absoluteMs: number;
    readonly rememberMeMs: number;
    /** How often an unchanged session is written back just to record activity. */
    readonly touchAfterSeconds: number;
  };
  /** DATA_ENCRYPTION_KEY: the first encrypts, all decrypt (rotation); see security/data-cipher.ts. */
  readonly dataEncryptionKeys: readonly string[];
  readonly bcryptCost: number;
  readonly trustProxy: TrustProxy;
  readonly logLevel: LogLevel;
  /** The site's public origin (no trailing slash): every absolute link is built from it, never from headers. */
  readonly publicUrl: string;
  /** Accepted `Host` header values (host names, lower-case, without port); null = no check (warned at start). */
  readonly allowedHosts: readonly string[] | null;
  readonly mail: MailConfig;
  /** Sudo mode: how long a freshly entered password allows sensitive actions; 0 = every time. */
  readonly reauthMs: number;
  readonly securityLogDays: number;
  readonly deletionGraceDays: number;
  /** How stale a cached anonymous page may be for writes made by other processes; 0 = no page cache. */
  readonly pageCacheSeconds: number;
  readonly tokens: { readonly resetMs: number; readonly verifyMs: number };
  /** Uploaded pictures: the largest file accepted and what one account may store (variants included). */
  readonly images: { readonly maxBytes: number; readonly quotaBytes: number };
  /** Things an operator should hear about once at start (the config is valid, but risky). */
  readonly warnings: readonly string[];
  /** How to get a mongod when MONGODB_URI is unset (development, tests, benchmark). */
  readonly embeddedMongo: EmbeddedMongoConfig;
}

export interface MailConfig {
  /** smtp: deliver through SMTP_URL; outbox: development, kept in MongoDB and shown at /dev/mail; off: no mail. */
  readonly transport: 'smtp' | 'outbox' | 'off';
  readonly smtpUrl: string | undefined;
  readonly from: string;
}

export interface EmbeddedMongoConfig {
  readonly systemBinary: string | undefined;
  readonly version: string;
  /** The embedded database's files, kept across restarts. */
  readonly dataDir: string;
  /** Where scripts/provision-mongod.sh keeps the offline build and its wrapper. */
  readonly provisionCacheDir: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

function splitSecrets(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `1` → 1 hop, `false` → trust nothing, anything else (`loopback`, CIDRs) passes through to Express. */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // Empty strings (as left by `KEY=` in .env) mean "not set".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`));
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const givenSecrets = splitSecrets(e.SESSION_SECRET);
  const sessionSecrets = givenSecrets.length > 0 ? givenSecrets : [randomBytes(32).toString('base64url')];
  const givenDataKeys = splitSecrets(e.DATA_ENCRYPTION_KEY);
  const cookieSecure = e.COOKIE_SECURE ?? isProduction;
  const idleMs = e.SESSION_IDLE_MINUTES * 60_000;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const warnings: string[] = [];
  if (isProduction && !cookieSecure) {
    warnings.push(
      'COOKIE_SECURE=false in production: the session cookie travels without Secure, readable on plain HTTP',
    );
  }
  const allowedHosts = parseAllowedHosts(e.ALLOWED_HOSTS, isProduction, e.PUBLIC_URL);
  if (allowedHosts === null) {
    warnings.push('ALLOWED_HOSTS and PUBLIC_URL are unset: any Host header is accepted (DNS rebinding is not stopped)');
  }
  const mailTransport = e.SMTP_URL ? 'smtp' : isProduction ? 'off' : 'outbox';
  if (mailTransport === 'off') {
    warnings.push('SMTP_URL is not set: mail is off, so password reset and address verification are unavailable');
  }

  const config: Config = {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1'),
    mongodbUri: e.MONGODB_URI,
    session: {
      secrets: sessionSecrets,
      secretIsEphemeral: givenSecrets.length === 0,
      // __Host- makes the browser refuse the cookie unless Secure, Path=/ and no Domain: no subdomain can plant it.
      cookieName: cookieSecure ? '__Host-folio.sid' : 'folio.sid',
      cookieSecure,
      idleMs,
      absoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
      rememberMeMs: e.REMEMBER_ME_DAYS * 86_400_000,
      // At most one write per minute for an active reader, and never coarser than a tenth of the idle limit.
      touchAfterSeconds: Math.max(1, Math.min(60, Math.floor(idleMs / 10_000))),
    },
    // Outside production (where it is required) and without a key kept in .data/ (server.ts), the key is derived
    // from the session secret: tests and two app instances sharing one secret can read each other's seeds.
    dataEncryptionKeys:
      givenDataKeys.length > 0
        ? givenDataKeys
        : [
            Buffer.from(hkdfSync('sha256', sessionSecrets[0] ?? '', '', 'folio data-encryption key', 32)).toString(
              'base64url',
            ),
          ],
    bcryptCost: e.BCRYPT_COST,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    publicUrl,
    allowedHosts,
    mail: { transport: mailTransport, smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
    reauthMs: e.REAUTH_MINUTES * 60_000,
    securityLogDays: e.SECURITY_LOG_DAYS,
    deletionGraceDays: e.DELETION_GRACE_DAYS,
    pageCacheSeconds: e.PAGE_CACHE_SECONDS,
    tokens: { resetMs: e.RESET_TOKEN_MINUTES * 60_000, verifyMs: e.VERIFY_TOKEN_HOURS * 3_600_000 },
    // MB = 2^20 bytes, as the contract says.
    images: { maxBytes: e.IMAGE_MAX_MB * 2 ** 20, quotaBytes: e.IMAGE_QUOTA_MB * 2 ** 20 },
    warnings,
    embeddedMongo: {
      systemBinary: e.MONGOMS_SYSTEM_BINARY,
      version: e.MONGOMS_VERSION,
      dataDir: path.resolve(e.MONGO_DATA_DIR ?? path.join(projectRoot, '.data', 'mongo')),
      provisionCacheDir:
        e.FOLIO_MONGOD_CACHE ??
        path.join(e.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'folio', `mongod-${e.MONGOMS_VERSION}`),
    },
  };
  return deepFreeze(config);
}

/**
 * Host names (port stripped) the app answers to. Development defaults to loopback names so a DNS-rebinding
 * page cannot reach a developer's server; production defaults to PUBLIC_URL's host, or no check.
 */
function parseAllowedHosts(raw: string | undefined, isProduction: boolean, publicUrl: string | undefined) {
  if (raw) {
    return raw
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h.length > 0);
  }
  if (!isProduction) return ['localhost', '127.0.0.1', '[::1]'];
  return publicUrl ? [new URL(publicUrl).hostname.toLowerCase()] : null;
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) {
    if (v && typeof v === 'object') deepFreeze(v);
  }
  return Object.freeze(value);
}
