import express, { type Express } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { accountRoutes } from './account/account.routes';
import { recoveryNotice } from './account/email.notice';
import { emailRoutes } from './account/email.routes';
import { PageViews } from './account/page-views';
import { requireSudo } from './account/sudo';
import { AccountDeletion } from './account-deletion/account-deletion';
import { accountSecurityRoutes } from './account-security/account-security.routes';
import { authRoutes } from './auth/auth.routes';
import type { Clock } from './clock';
import type { Config } from './config';
import { devRoutes } from './dev/dev.routes';
import { FactorStore } from './factors/factors.store';
import { passkeyAccountRoutes, passkeySignInRoutes, serveWebAuthnBrowser } from './factors/passkeys.routes';
import { twoFactorAccountRoutes, twoFactorSignInRoutes } from './factors/two-factor.routes';
import { feedsRoutes } from './feeds/feeds.routes';
import { healthRoutes } from './health/health.routes';
import { allowedHosts } from './http/allowed-hosts';
import { assetVersion } from './http/asset-version';
import { errorHandler, notFound } from './http/error-handler';
import { exposeFlash } from './http/flash';
import { restoreKeptForm, sendSignedInVisitorsOn } from './http/kept-form';
import { PageCache } from './http/page-cache';
import { rejectNestedKeys } from './http/reject-nested-keys';
import { requestLogger } from './http/request-logger';
import { securityHeaders } from './http/security-headers';
import { viewLocals } from './http/view-locals';
import type { Mailer } from './mail/mailer';
import { createMailer } from './mail/transports';
import { publicDir, viewsDir } from './paths';
import { commentModel } from './posts/comments/comment.model';
import { postModel } from './posts/post.model';
import { draftsRoutes, postsRoutes } from './posts/posts.routes';
import { readingListRoutes } from './reading-list/reading-list.routes';
import { exposeSavedState, readingListHeader } from './reading-list/reading-list.session';
import { ReadingListStore } from './reading-list/reading-list.store';
import { recoveryRoutes } from './recovery/recovery.routes';
import { searchRoutes } from './search/search.routes';
import { csrfProtection } from './security/csrf';
import { AuthThrottle, type ThrottleLimits } from './security/login-throttle';
import { type MailLimits, MailThrottle } from './security/mail-throttle';
import { limitNewSessions } from './security/new-sessions';
import { createPasswordVerifier } from './security/passwords';
import { createRateLimit, DEFAULT_WRITE_LIMITS, type WriteLimits } from './security/rate-limit';
import { SecurityLog } from './security-log/security-log';
import { noStoreForSessions } from './session/cache-control';
import { saveSessionBeforeRedirect } from './session/save-before-redirect';
import { enforceSessionLifetime } from './session/session-lifetime';
import { createSessionMiddleware, createSessionStore, exposeEndedSession } from './session/session-middleware';
import type { FolioSessionStore } from './session/session-store';
import { tagsRoutes } from './tags/tags.routes';
import { AccountTokens } from './users/account-tokens';
import { EmailAddresses } from './users/email.service';
import { userModel } from './users/user.model';
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
    deps.pageCache ?? new PageCache({ seconds: config.pageCacheSeconds, cookieName: config.session.cookieName });
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
  const signInDeps = { config, users, sessions: sessionStore, securityLog, mailer, tokens, logger, now };
  const factors = new FactorStore(connection);
  const factorDeps = { config, users, factors, securityLog, mailer, throttle, signInDeps, logger, now, sudo };

  const app = express();
  app.disable('x-powered-by');
  // signIn() merges anonymous saves into the account's list and has only the request to reach the store.
  app.set('readingLists', readingLists);
  // server.ts runs the purge of closed accounts on a timer with the same instance.
  app.set('deletion', deletion);
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
    assetVersion: assetVersion(publicDir),
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
  // Static files and health probes come before the session: they never cost a session read.
  // Only a path that names a file (it has an extension) is looked up on disk; without this guard every page
  // request pays for a failed fs.stat and its error object: ~5% of GET /posts's CPU in `npm run bench`.
  // Versioned URLs (?v=hash) change with the content, so production can cache them for a year.
  const staticFiles = express.static(publicDir, {
    maxAge: config.isProduction ? '365d' : 0,
    immutable: config.isProduction,
    index: false,
  });
  app.use((req, res, next) => (/\.[^/]+$/.test(req.path) ? staticFiles(req, res, next) : next()));
  app.get('/js/simplewebauthn-browser.js', serveWebAuthnBrowser(config.isProduction));
  app.use(healthRoutes(connection));
  // Pages answer HTML or JSON by Accept: caches must key on it.
  app.use((_req, res, next) => {
    res.vary('Accept');
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
  app.use(viewLocals([readingListHeader]));
  // CSRF first: a forged post with a malformed token field (`_csrf[x]=y`) is a 403, like any other forgery.
  app.use(csrfProtection());
  app.use(limitNewSessions(throttle));
  app.use(rejectNestedKeys);
  app.use(exposeFlash, pageViews.middleware());
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
      signInDeps,
      deletion,
      factors,
    }),
  );
  app.use('/auth', twoFactorSignInRoutes(factorDeps), passkeySignInRoutes(factorDeps));
  app.use(
    '/auth',
    recoveryRoutes({ config, users, tokens, mailer, mailThrottle, sessions: sessionStore, logger, now, securityLog }),
  );
  app.use('/account', recoveryNotice(users));
  app.use('/account', twoFactorAccountRoutes(factorDeps), passkeyAccountRoutes(factorDeps));
  app.use(
    '/account/email',
    emailRoutes({ users, addresses, tokens, mailer, verifyPassword, throttle, logger, securityLog }),
  );
  // The development outbox: absent in production, so /dev/mail is a 404 there like any unknown path.
  if (!config.isProduction) app.use('/dev', devRoutes({ connection, mailer }));
  app.use(
    '/posts',
    postsRoutes({ posts, comments, logger, now, rateLimit: createRateLimit(connection), limits: writeLimits }),
  );
  app.use('/drafts', draftsRoutes({ posts, comments, now }));
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
