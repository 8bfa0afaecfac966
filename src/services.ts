import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { PageViews } from './account/page-views';
import { pageViewsPersonalData } from './account/page-views.personal-data';
import { requireSudo } from './account/sudo';
import { AccountDeletion } from './account-deletion/account-deletion';
import type { SignInDeps } from './auth/complete-sign-in';
import type { Clock } from './clock';
import type { Config } from './config';
import type { PersonalData, PersonalDataRegistry } from './db/personal-data';
import { factorsPersonalData } from './factors/factors.personal-data';
import { FactorStore } from './factors/factors.store';
import { PageCache } from './http/page-cache';
import type { Mailer } from './mail/mailer';
import { outboxPersonalData } from './mail/outbox.personal-data';
import { createMailer } from './mail/transports';
import { hidePostsWhileClosed } from './posts/closed-author';
import { type CommentModel, commentModel } from './posts/comments/comment.model';
import { commentsPersonalData } from './posts/comments/comments.personal-data';
import { type PostModel, postModel } from './posts/post.model';
import { postsPersonalData } from './posts/posts.personal-data';
import { readingListPersonalData } from './reading-list/reading-list.personal-data';
import { ReadingListStore } from './reading-list/reading-list.store';
import { AuthThrottle, type ThrottleLimits } from './security/login-throttle';
import { type MailLimits, MailThrottle } from './security/mail-throttle';
import { createPasswordVerifier, type PasswordVerifier } from './security/passwords';
import { createRateLimit, DEFAULT_WRITE_LIMITS, type RateLimit, type WriteLimits } from './security/rate-limit';
import { throttlesPersonalData } from './security/throttles.personal-data';
import { SecurityLog } from './security-log/security-log';
import { securityLogPersonalData } from './security-log/security-log.personal-data';
import { createSessionStore } from './session/session-middleware';
import type { FolioSessionStore } from './session/session-store';
import { sessionsPersonalData } from './session/sessions.personal-data';
import { AccountTokens } from './users/account-tokens';
import { accountTokensPersonalData } from './users/account-tokens.personal-data';
import { EmailAddresses } from './users/email.service';
import { type UserModel, userModel } from './users/user.model';
import { usersPersonalData } from './users/users.personal-data';

/** What the process (or a test) gives the app; everything else is built from it by createServices. */
export interface ServiceDeps {
  readonly config: Config;
  /** An open mongoose connection; the app never connects or disconnects it. */
  readonly connection: Connection;
  readonly logger: Logger;
  /** Defaults to Folio's session store on `connection`. */
  readonly sessionStore?: FolioSessionStore;
  /** Defaults to Date.now; tests pass a controllable clock for the session timeouts. */
  readonly now?: Clock;
  readonly throttleLimits?: ThrottleLimits;
  /** Defaults to config.mail's transport (SMTP, the development outbox, or off); tests pass their own. */
  readonly mailer?: Mailer;
  /** Mails per address and recovery requests per client an hour (tests raise the per-client one). */
  readonly mailLimits?: MailLimits;
  /** Per-user limits on posting, editing and commenting (the benchmark raises them). */
  readonly writeLimits?: WriteLimits;
}

/**
 * Folio's parts, each built once and shared: the routers take what they need from this one object (each
 * router's deps type is a part of it), the process keeps it to run the purge, flush the page views and
 * close the mailer. Ghost's createServices, in small.
 */
export interface Services {
  readonly config: Config;
  readonly connection: Connection;
  readonly logger: Logger;
  readonly now: Clock;
  readonly users: UserModel;
  readonly posts: PostModel;
  readonly comments: CommentModel;
  readonly sessions: FolioSessionStore;
  readonly throttle: AuthThrottle;
  readonly pageViews: PageViews;
  readonly readingLists: ReadingListStore;
  readonly verifyPassword: PasswordVerifier;
  readonly mailer: Mailer;
  readonly tokens: AccountTokens;
  readonly mailThrottle: MailThrottle;
  readonly addresses: EmailAddresses;
  /** Anonymous pages in memory; code that writes outside a request calls `clear()` on it. */
  readonly pageCache: PageCache;
  readonly rateLimit: RateLimit;
  readonly limits: WriteLimits;
  readonly securityLog: SecurityLog;
  readonly factors: FactorStore;
  /** requireSudo, configured (account/sudo.ts). */
  readonly sudo: RequestHandler;
  /** What a completed sign-in needs (the sign-in pipeline's own part of the services). */
  readonly signInDeps: SignInDeps;
  /** Every feature's personal data, in dependency order (src/db/personal-data.ts). */
  readonly personalData: PersonalDataRegistry;
  readonly deletion: AccountDeletion;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, connection, logger } = deps;
  const now = deps.now ?? Date.now;
  const users = userModel(connection);
  const sessions = deps.sessionStore ?? createSessionStore(connection, config);
  const mailer = deps.mailer ?? createMailer(config, connection, logger);
  const tokens = new AccountTokens(connection, now);
  const mailThrottle = new MailThrottle(connection, deps.mailLimits);
  const securityLog = new SecurityLog(connection, logger, now);
  const factors = new FactorStore(connection);
  const pageCache = new PageCache({ seconds: config.pageCacheSeconds, cookieName: config.session.cookieName });
  const pageViewCounts = pageViewsPersonalData(connection, sessions);
  const personalData = personalDataOf(connection, { sessions, securityLog, factors, users, config, pageViewCounts });
  const deletion = new AccountDeletion({
    config,
    users,
    sessions,
    securityLog,
    mailer,
    tokens,
    pageCache,
    logger,
    now,
    personalData,
    // Page-view counters are keyed by session id: forgotten while the sessions still name the user.
    closing: [hidePostsWhileClosed(connection), { close: (user) => pageViewCounts.forgetUser(user) }],
  });
  return {
    config,
    connection,
    logger,
    now,
    users,
    posts: postModel(connection),
    comments: commentModel(connection),
    sessions,
    throttle: new AuthThrottle(connection, deps.throttleLimits),
    pageViews: new PageViews(connection, logger),
    readingLists: new ReadingListStore(connection),
    verifyPassword: createPasswordVerifier(config.bcryptCost),
    mailer,
    tokens,
    mailThrottle,
    addresses: new EmailAddresses({ config, users, tokens, mailer, mailThrottle, logger }),
    pageCache,
    rateLimit: createRateLimit(connection),
    limits: deps.writeLimits ?? DEFAULT_WRITE_LIMITS,
    securityLog,
    factors,
    sudo: requireSudo({ reauthMs: config.reauthMs, now }),
    signInDeps: { config, users, sessions, securityLog, mailer, tokens, logger, now },
    personalData,
    deletion,
  };
}

/**
 * The registry, in dependency order: the account first (prepared first, forgotten last), then what hangs
 * off it; page views after the sessions they are found through. The export's keys come out in this order.
 */
export function personalDataOf(
  connection: Connection,
  parts: {
    readonly sessions: FolioSessionStore;
    readonly securityLog: SecurityLog;
    readonly factors: FactorStore;
    readonly users: UserModel;
    readonly config: Pick<Config, 'securityLogDays'>;
    readonly pageViewCounts: PersonalData;
  },
): PersonalDataRegistry {
  return [
    usersPersonalData(parts.users),
    postsPersonalData(connection),
    commentsPersonalData(connection),
    readingListPersonalData(connection),
    sessionsPersonalData(connection, parts.sessions),
    factorsPersonalData(connection, parts.factors),
    securityLogPersonalData(connection, parts.securityLog, parts.config.securityLogDays),
    accountTokensPersonalData(connection),
    outboxPersonalData(connection),
    parts.pageViewCounts,
    throttlesPersonalData(connection),
  ];
}
