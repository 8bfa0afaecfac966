import compression from 'compression';
import express, { type Express } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { accountRoutes } from './account/account.routes';
import { recoveryNotice } from './account/email.notice';
import { emailRoutes } from './account/email.routes';
import { EmailAddresses } from './account/email.service';
import { emailResendRoutes } from './account/email-resend.routes';
import { PageViews } from './account/page-views';
import { settingsRoutes } from './account/settings.routes';
import { requireSudo } from './account/sudo';
import { AccountDeletion } from './account-deletion/account-deletion';
import { accountSecurityRoutes } from './account-security/account-security.routes';
import { adminRoutes } from './admin/admin.routes';
import { AdminLog } from './admin/admin-log';
import { StaffActions } from './admin/staff-actions';
import { loadAssets } from './assets/assets';
import { authRoutes } from './auth/auth.routes';
import { createPasswordVerifier } from './auth/passwords';
import { SignInService } from './auth/sign-in.service';
import { userModel } from './auth/user.model';
import { commentModel } from './comments/comment.model';
import { commentConfirmRoutes } from './comments/comment-confirm.routes';
import type { Config } from './config';
import { devRoutes } from './dev/dev.routes';
import { CodeThrottle } from './factors/code-throttle';
import { FactorStore } from './factors/factors.store';
import { passkeyAccountRoutes, passkeySignInRoutes, serveWebAuthnBrowser } from './factors/passkeys.routes';
import { twoFactorAccountRoutes, twoFactorSignInRoutes } from './factors/two-factor.routes';
import { feedsRoutes } from './feeds/feeds.routes';
import { subscribeRoutes } from './feeds/subscribe.routes';
import { healthRoutes } from './health/health.routes';
import { allowedHosts } from './http/allowed-hosts';
import { noStoreForSessions } from './http/cache-control';
import { errorHandler, notFound } from './http/error-handler';
import { exposeFlash } from './http/flash';
import { restoreKeptForm, sendSignedInVisitorsOn } from './http/kept-form';
import { PageCache } from './http/page-cache';
import { rejectNestedKeys } from './http/reject-nested-keys';
import { requestLogger } from './http/request-logger';
import { securityHeaders } from './http/security-headers';
import { markListWrites, SharedResults } from './http/shared-results';
import { viewLocals } from './http/view-locals';
import { imagesFeature } from './images/images.routes';
import { Invitations } from './invites/invitations';
import { registrationGate } from './invites/registration-gate';
import type { Mailer } from './mail/mailer';
import { createMailer } from './mail/transports';
import { commentPolicy } from './moderation/comment-policy';
import { Moderation } from './moderation/moderation';
import { reportRoutes } from './moderation/report.routes';
import { Reports } from './moderation/reports';
import { publicDir, viewsDir } from './paths';
import { postModel } from './posts/post.model';
import { draftsRoutes, postsRoutes } from './posts/posts.routes';
import { createRateLimit, DEFAULT_WRITE_LIMITS, type WriteLimits } from './posts/rate-limit';
import { writingRoutes } from './posts/writing.routes';
import { readingListRoutes } from './reading-list/reading-list.routes';
import { exposeSavedState, mergeReadingListAtSignIn } from './reading-list/reading-list.session';
import { ReadingListStore } from './reading-list/reading-list.store';
import { type MailLimits, MailThrottle } from './recovery/mail-throttle';
import { recoveryRoutes } from './recovery/recovery.routes';
import { AccountTokens } from './recovery/tokens';
import { roleGuards } from './roles/actor';
import { searchRoutes } from './search/search.routes';
import { csrfProtection } from './security/csrf';
import { DataCipher } from './security/data-cipher';
import { AuthThrottle, type ThrottleLimits } from './security/login-throttle';
import { limitNewSessions } from './security/new-sessions';
import { SecurityLog } from './security-log/security-log';
import { seoLocals } from './seo/seo';
import { seoRoutes } from './seo/seo.routes';
import { saveSessionBeforeRedirect } from './session/save-before-redirect';
import { type Clock, enforceSessionLifetime } from './session/session-lifetime';
import { createSessionMiddleware, createSessionStore, exposeEndedSession } from './session/session-middleware';
import type { FolioSessionStore } from './session/session-store';
import { SiteSettings } from './site-settings/site-settings';
import { tagsRoutes } from './tags/tags.routes';
import { usersRoutes } from './users/users.routes';
import { useEjs } from './views-helpers/ejs-engine';
import {
  formatClock,
  formatDate,
  formatDateTime,
  isoDate,
  plural,
  relativeTime,
  showEdited,
} from './views-helpers/format';

export interface AppDeps {
  readonly config: Config;
  /** An open mongoose connection; the app never connects or disconnects it. */
  readonly connection: Connection;
  readonly logger: Logger;
  /** Defaults to Folio's session store on `connection`. */
  readonly sessionStore?: FolioSessionStore;
  /** Defaults to Date.now; tests pass a controllable clock for the session timeouts. */
  readonly now?: Clock;
  readonly throttleLimits?: ThrottleLimits;
  /** The page-view counter's buffer; server.ts passes its own so it can flush it at shutdown. */
  readonly pageViews?: PageViews;
  /** Defaults to config.mail's transport (SMTP, the development outbox, or off); tests pass their own. */
  readonly mailer?: Mailer;
  /** Mails per address and recovery requests per client an hour (tests raise the per-client one). */
  readonly mailLimits?: MailLimits;
  /** Per-user limits on posting, editing and commenting (the benchmark raises them). */
  readonly writeLimits?: WriteLimits;
  /** Closing and purging accounts; server.ts passes its own to run the purge on a timer. */
  readonly deletion?: AccountDeletion;
  /** Defaults to a cache of config.pageCacheSeconds; pass one to clear() it from elsewhere (jobs). */
  readonly pageCache?: PageCache;
}

/** Builds the Express app from its dependencies. Never listens, never connects: see server.ts for that. */
export function createApp(deps: AppDeps): Express {
  const { config, connection, logger } = deps;
  const users = userModel(connection);
  const posts = postModel(connection);
  const now = deps.now ?? Date.now;
  const sessionStore = deps.sessionStore ?? createSessionStore(connection, config);
  const throttle = new AuthThrottle(connection, deps.throttleLimits);
  const pageViews = deps.pageViews ?? new PageViews(connection, logger);
  const readingLists = new ReadingListStore(connection);
  const verifyPassword = createPasswordVerifier(config.bcryptCost);
  const mailer = deps.mailer ?? createMailer(config, connection, logger);
  const tokens = new AccountTokens(connection, now);
  const mailThrottle = new MailThrottle(connection, deps.mailLimits);
  const addresses = new EmailAddresses({ config, users, tokens, mailer, mailThrottle, logger });
  const comments = commentModel(connection);
  const pageCache =
    deps.pageCache ??
    new PageCache({
      seconds: config.pageCacheSeconds,
      cookieName: config.session.cookieName,
      secrets: config.session.secrets,
      now,
    });
  // The public list's query results, shared by every visitor's view, forgotten whenever the pages are.
  const sharedResults = new SharedResults(config.pageCacheSeconds, { now });
  pageCache.onClear(() => sharedResults.clear());
  const writeLimits = deps.writeLimits ?? DEFAULT_WRITE_LIMITS;
  const securityLog = new SecurityLog(connection, logger, now);
  const deletion =
    deps.deletion ??
    new AccountDeletion({
      config,
      connection,
      users,
      sessions: sessionStore,
      securityLog,
      mailer,
      tokens,
      pageCache,
      logger,
      now,
    });
  const sudo = requireSudo({ reauthMs: config.reauthMs, now });
  const factors = new FactorStore(connection, new DataCipher(config.dataEncryptionKeys));
  const codeThrottle = new CodeThrottle(connection);
  // The one way in (auth/sign-in.service.ts); what features add to a sign-in comes in through these hooks.
  const signIns = new SignInService({
    config,
    users,
    sessions: sessionStore,
    securityLog,
    mailer,
    tokens,
    logger,
    now,
    hooks: {
      secondFactor: (userId) => factors.hasTwoFactor(userId),
      onSignedIn: [(req, userId) => mergeReadingListAtSignIn(readingLists, req, userId)],
    },
  });
  const factorDeps = {
    config,
    users,
    factors,
    securityLog,
    mailer,
    throttle,
    signIns,
    codeThrottle,
    logger,
    now,
    sudo,
  };
  // Staff, roles and moderation (README, "Running a blog with others").
  const roles = roleGuards(users);
  const siteSettings = new SiteSettings(connection);
  const invitations = new Invitations(connection, now);
  const registration = registrationGate({ settings: siteSettings, invitations });
  const adminLog = new AdminLog(connection, now);
  const reports = new Reports(connection, now);
  const moderation = new Moderation({ posts, comments, reports, adminLog, pageCache });
  const staff = new StaffActions({
    users,
    posts,
    comments,
    sessions: sessionStore,
    securityLog,
    adminLog,
    pageCache,
    now,
  });
  const images = imagesFeature({
    config,
    connection,
    posts,
    logger,
    now,
    uploaders: roles.requireCan('post.create'),
  });

  const assets = loadAssets();

  const app = express();
  app.disable('x-powered-by');
  // server.ts runs the purge of closed accounts on a timer with the same instance.
  app.set('deletion', deletion);
  // Kept forms (src/http/kept-form.ts) are dated by the app's clock and have only the request to reach it.
  app.set('now', now);
  // server.ts refreshes the cached settings on a timer, for changes made by other processes.
  app.set('siteSettings', siteSettings);
  app.set('trust proxy', config.trustProxy);
  app.set('views', viewsDir);
  app.set('view cache', config.isProduction);
  // Strips the indentation and blank lines that template tags leave behind (rmWhitespace), as EJS 7 needs it.
  useEjs(app, { viewsDir, cache: config.isProduction });
  // Express's own last-resort handler reads 'env' to decide whether to print stacks: follow our config.
  app.set('env', config.isProduction ? 'production' : 'development');
  // Defaults for every view, so an error page renders even when the request failed before viewLocals ran.
  Object.assign(app.locals, {
    siteName: 'Folio',
    // Absolute links in pages (og:image) come from PUBLIC_URL, never from Host.
    publicUrl: config.publicUrl,
    imageMaxMb: config.images.maxBytes / 2 ** 20,
    // `<%= asset('css/site.css') %>`: the minified file's content-hashed URL (src/assets).
    asset: (name: string) => assets.url(name),
    formatDate,
    isoDate,
    relativeTime,
    formatDateTime,
    formatClock,
    plural,
    showEdited,
    currentUser: null,
    values: {},
    errors: {},
    formMessage: null,
    takeFlash: () => [],
  });

  app.use(allowedHosts(config.allowedHosts));
  app.use(securityHeaders({ https: config.session.cookieSecure }));
  app.use(noStoreForSessions);
  app.use(requestLogger(logger));
  // br or gzip for every compressible response (HTML, CSS, JS, JSON, XML), as the browser accepts, with
  // Vary: Accept-Encoding. Pages served from the page cache come already compressed (once per encoding).
  app.use(compression());
  // Static files and health probes come before the session: they never cost a session read.
  // Only a path that names a file (it has an extension) is looked up on disk; without this guard every page
  // request pays for a failed fs.stat and its error object: ~5% of GET /posts's CPU in `npm run bench`.
  // Versioned URLs (?v=hash) change with the content, so production can cache them for a year.
  // Minified CSS and JS under content-hashed URLs, immutable (src/assets); public/ keeps serving the rest.
  app.use(assets.middleware());
  const staticFiles = express.static(publicDir, {
    maxAge: config.isProduction ? '365d' : 0,
    immutable: config.isProduction,
    index: false,
  });
  // Pictures of public posts: before the static files (no disk lookup for /images/…/960.webp) and the session.
  app.use(images.serving);
  app.use((req, res, next) => (/\.[^/]+$/.test(req.path) ? staticFiles(req, res, next) : next()));
  app.get('/js/simplewebauthn-browser.js', serveWebAuthnBrowser(config.isProduction));
  app.use(healthRoutes(connection));
  // The sitemap and robots.txt need no session: served before it, like the health probes.
  app.use(seoRoutes({ config, posts, users, now }));
  // Pages answer HTML or JSON by Accept: caches must key on it.
  app.use((_req, res, next) => {
    res.vary('Accept');
    next();
  });
  // The site title and description for every page and feed: cached in-process (site-settings.ts).
  app.use(async (_req, res, next) => {
    const site = await siteSettings.cached();
    res.locals.siteName = site.siteTitle;
    res.locals.siteDescription = site.siteDescription;
    next();
  });
  // Anonymous blog pages from memory, before any session or body work; every write in this process clears it.
  app.use(pageCache.middleware());

  // Flat bodies only (extended: false cannot build nested objects) and small ones.
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 50 }));
  app.use(express.json({ limit: '100kb' }));
  app.use(createSessionMiddleware(config, sessionStore));
  app.use(exposeEndedSession(config, sessionStore));
  app.use(saveSessionBeforeRedirect);
  app.use(enforceSessionLifetime(config.session, now));
  // Multipart, which the CSRF middleware cannot read: the upload checks origin, session and token itself.
  app.use(images.upload);
  // CSRF first: a forged post with a malformed token field (`_csrf[x]=y`) is a 403, like any other forgery.
  app.use(csrfProtection());
  app.use(limitNewSessions(throttle));
  app.use(rejectNestedKeys);
  app.use(viewLocals, exposeFlash, pageViews.middleware());
  // Read-your-writes for the shared list results: a signed-in write under /posts marks its session.
  app.use(markListWrites(now));
  // Description, canonical URL and link-preview defaults for every page (src/seo).
  app.use(seoLocals(config.publicUrl));
  // A form kept when its session ended comes back filled in (src/http/kept-form.ts).
  app.use(restoreKeptForm);

  app.get('/', (_req, res) => res.redirect('/posts'));
  app.use('/auth', sendSignedInVisitorsOn);
  // A post's page shows whether the reader saved it ("Saved ✓ / Remove").
  app.get('/posts/:id', exposeSavedState(readingLists));
  app.use(
    '/auth',
    authRoutes({
      config,
      users,
      verifyPassword,
      logger,
      throttle,
      now,
      sessions: sessionStore,
      addresses,
      securityLog,
      signIns,
      deletion,
      registration,
    }),
  );
  app.use('/auth', twoFactorSignInRoutes(factorDeps), passkeySignInRoutes(factorDeps));
  app.use(
    '/auth',
    recoveryRoutes({
      config,
      users,
      tokens,
      mailer,
      mailThrottle,
      sessions: sessionStore,
      logger,
      now,
      securityLog,
      // A completed reset ends the account's wrong-code streak (the new password is the owner's).
      onPasswordReset: (userId) => codeThrottle.clear(userId),
    }),
  );
  app.use('/account', recoveryNotice(users));
  app.use('/account', twoFactorAccountRoutes(factorDeps), passkeyAccountRoutes(factorDeps));
  app.use('/account', settingsRoutes({ users, factors }));
  app.use('/account/email', emailResendRoutes({ users, addresses, tokens, mailer }));
  app.use(
    '/account/email',
    emailRoutes({ users, addresses, tokens, mailer, verifyPassword, throttle, logger, securityLog }),
  );
  // The development outbox: absent in production, so /dev/mail is a 404 there like any unknown path.
  if (!config.isProduction) app.use('/dev', devRoutes({ connection, mailer }));
  app.use('/posts', reportRoutes({ posts, comments, reports, roles, now }));
  // issue 25: the editor's Preview and autosave (before /posts/:id, which would take "preview" for an id).
  app.use(
    '/posts',
    writingRoutes({ posts, now, rateLimit: createRateLimit(connection), writers: roles.requireCan('post.create') }),
  );
  app.use('/posts', commentConfirmRoutes({ posts, comments }));
  app.use(
    '/posts',
    postsRoutes({
      posts,
      comments,
      logger,
      now,
      rateLimit: createRateLimit(connection),
      limits: writeLimits,
      images: images.forPosts,
      roles,
      commentPolicy: commentPolicy(siteSettings, comments),
      shared: sharedResults,
    }),
  );
  app.use(
    '/admin',
    adminRoutes({
      config,
      users,
      posts,
      sessions: sessionStore,
      roles,
      sudo,
      staff,
      moderation,
      reports,
      adminLog,
      settings: siteSettings,
      invitations,
      mailer,
      pageCache,
      now,
    }),
  );
  app.use('/drafts', draftsRoutes({ posts, comments, now }));
  app.use(images.routes);
  app.use(subscribeRoutes({ publicUrl: config.publicUrl, siteName: app.locals.siteName as string }));
  app.use(feedsRoutes({ config, posts, users, now, siteName: app.locals.siteName as string }));
  app.use('/tags', tagsRoutes({ posts, now }));
  app.use('/search', searchRoutes({ posts, now }));
  app.use('/users', usersRoutes({ users, posts, now }));
  app.use('/reading-list', readingListRoutes({ posts, readingLists, now }));
  app.use(
    '/account',
    accountRoutes({
      config,
      users,
      sessions: sessionStore,
      pageViews,
      verifyPassword,
      logger,
      now,
      throttle,
      securityLog,
      sudo,
      signIns,
    }),
  );
  app.use(
    '/account',
    accountSecurityRoutes({
      config,
      users,
      sessions: sessionStore,
      securityLog,
      deletion,
      factors,
      tokens,
      mailer,
      verifyPassword,
      throttle,
      logger,
      now,
      sudo,
    }),
  );

  app.use(notFound);
  app.use(errorHandler({ logger, exposeDetails: !config.isProduction }));
  return app;
}
