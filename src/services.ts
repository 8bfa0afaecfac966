import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { PageViews } from './account/page-views';
import { pageViewsPersonalData } from './account/page-views.personal-data';
import { requireSudo } from './account/sudo';
import { AccountDeletion } from './account-deletion/account-deletion';
import { staffPersonalData } from './admin/personal-data';
import { StaffActions } from './admin/staff-actions';
import { AdminLog } from './admin-log/admin-log';
import { SignInService } from './auth/sign-in.service';
import type { Clock } from './clock';
import type { Config } from './config';
import type { PersonalData, PersonalDataRegistry } from './db/personal-data';
import { CodeThrottle } from './factors/code-throttle';
import { factorsPersonalData } from './factors/factors.personal-data';
import { FactorStore } from './factors/factors.store';
import { PageCache } from './http/page-cache';
import { SharedResults } from './http/shared-results';
import { imagesPersonalData } from './images/images.personal-data';
import { imagesFeature } from './images/images.routes';
import { Invitations } from './invites/invitations';
import { type RegistrationGate, registrationGate } from './invites/registration-gate';
import type { Mailer } from './mail/mailer';
import { outboxPersonalData } from './mail/outbox.personal-data';
import { createMailer } from './mail/transports';
import { Moderation } from './moderation/moderation';
import { Reports } from './moderation/reports';
import { hidePostsWhileClosed } from './posts/closed-author';
import { type CommentModel, commentModel } from './posts/comments/comment.model';
import { type CommentPolicy, commentPolicy } from './posts/comments/comment-policy';
import { commentsPersonalData } from './posts/comments/comments.personal-data';
import { type PostModel, postModel } from './posts/post.model';
import { postsPersonalData } from './posts/posts.personal-data';
import { autosaveKeysPersonalData } from './posts/writing.personal-data';
import { readingListPersonalData } from './reading-list/reading-list.personal-data';
import { mergeReadingListAtSignIn } from './reading-list/reading-list.session';
import { ReadingListStore } from './reading-list/reading-list.store';
import { type RoleGuards, roleGuards } from './roles/actor';
import { ensureOwner } from './roles/new-account';
import { DataCipher } from './security/data-cipher';
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
import { SiteSettings } from './site-settings/site-settings';
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
  /** Defaults to a cache of config.pageCacheSeconds (tests pass one with a counting compressor). */
  readonly pageCache?: PageCache;
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
  /** The one way in (auth/sign-in.service.ts): every sign-in ends there; features join through its hooks. */
  readonly signIns: SignInService;
  /** Wrong second-factor codes, counted per account (factors/code-throttle.ts). */
  readonly codeThrottle: CodeThrottle;
  /** The public list's query results, shared by every visitor's view; cleared with the page cache. */
  readonly sharedResults: SharedResults;
  /** Staff, roles and moderation (README, "Running a blog with others"). */
  readonly roles: RoleGuards;
  readonly siteSettings: SiteSettings;
  readonly invitations: Invitations;
  readonly registration: RegistrationGate;
  readonly adminLog: AdminLog;
  readonly reports: Reports;
  readonly moderation: Moderation;
  readonly staff: StaffActions;
  readonly commentPolicy: CommentPolicy;
  /** Pictures (src/images): their routers, their store and what posts need of them. */
  readonly pictures: ReturnType<typeof imagesFeature>;
  /** Every feature's personal data, in dependency order (src/db/personal-data.ts). */
  readonly personalData: PersonalDataRegistry;
  readonly deletion: AccountDeletion;
}

/** The blog's public pages and feeds (posts, author pages, tags, search): what the page cache may keep. */
export const CACHEABLE_PAGES = /^\/(posts|users|tags|search|feed\.(xml|json))(\/|$|\?)/;

export function createServices(deps: ServiceDeps): Services {
  const { config, connection, logger } = deps;
  const now = deps.now ?? Date.now;
  const users = userModel(connection);
  const sessions = deps.sessionStore ?? createSessionStore(connection, config);
  const mailer = deps.mailer ?? createMailer(config, connection, logger);
  const tokens = new AccountTokens(connection, now);
  const mailThrottle = new MailThrottle(connection, deps.mailLimits);
  const securityLog = new SecurityLog(connection, logger, now);
  const factors = new FactorStore(connection, new DataCipher(config.dataEncryptionKeys));
  const pageCache =
    deps.pageCache ??
    new PageCache({
      seconds: config.pageCacheSeconds,
      cookieName: config.session.cookieName,
      secrets: config.session.secrets,
      now,
      cacheable: CACHEABLE_PAGES,
    });
  const sharedResults = new SharedResults(config.pageCacheSeconds, { now });
  pageCache.onClear(() => sharedResults.clear());
  const posts = postModel(connection);
  const comments = commentModel(connection);
  const readingLists = new ReadingListStore(connection);
  const roles = roleGuards(users);
  const siteSettings = new SiteSettings(connection);
  const invitations = new Invitations(connection, now);
  const adminLog = new AdminLog(connection, now);
  const reports = new Reports(connection, now);
  const pictures = imagesFeature({
    config,
    connection,
    posts,
    now,
    uploaders: roles.requireCan('post.create'),
  });
  const pageViewCounts = pageViewsPersonalData(connection, sessions);
  const personalData = personalDataOf(connection, {
    sessions,
    securityLog,
    factors,
    users,
    config,
    pageViewCounts,
    now,
  });
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
    posts,
    comments,
    sessions,
    throttle: new AuthThrottle(connection, deps.throttleLimits),
    pageViews: new PageViews(connection, logger),
    readingLists,
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
    signIns: new SignInService({
      config,
      users,
      sessions,
      securityLog,
      mailer,
      tokens,
      now,
      hooks: {
        secondFactor: (userId) => factors.hasTwoFactor(userId),
        onSignedIn: [(req, userId) => mergeReadingListAtSignIn(readingLists, req, userId)],
      },
    }),
    codeThrottle: new CodeThrottle(connection),
    sharedResults,
    roles,
    siteSettings,
    invitations,
    registration: registrationGate({ settings: siteSettings, invitations }),
    adminLog,
    reports,
    moderation: new Moderation({ posts, comments, reports, adminLog, pageCache }),
    staff: new StaffActions({ users, posts, comments, sessions, securityLog, adminLog, pageCache, now }),
    commentPolicy: commentPolicy(siteSettings, comments),
    pictures,
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
    readonly now: Clock;
  },
): PersonalDataRegistry {
  return [
    usersPersonalData(parts.users),
    // The first account is the owner; a database from before roles gets one (roles/new-account.ts).
    { name: 'roles', prepare: () => ensureOwner(connection) },
    postsPersonalData(connection),
    autosaveKeysPersonalData(connection),
    commentsPersonalData(connection),
    readingListPersonalData(connection),
    sessionsPersonalData(connection, parts.sessions),
    factorsPersonalData(connection, parts.factors),
    securityLogPersonalData(connection, parts.securityLog, parts.config.securityLogDays),
    accountTokensPersonalData(connection),
    outboxPersonalData(connection),
    parts.pageViewCounts,
    throttlesPersonalData(connection),
    imagesPersonalData(connection, parts.now),
    ...staffPersonalData(connection, parts.now),
  ];
}
