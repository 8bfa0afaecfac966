import compression from 'compression';
import express, { type Express, type Request } from 'express';
import { accountRoutes } from './account/account.routes';
import { recoveryNotice } from './account/email.notice';
import { emailRoutes } from './account/email.routes';
import { emailResendRoutes } from './account/email-resend.routes';
import { settingsRoutes } from './account/settings.routes';
import { accountSecurityRoutes } from './account-security/account-security.routes';
import { adminRoutes } from './admin/admin.routes';
import { loadAssets } from './assets/assets';
import { authRoutes } from './auth/auth.routes';
import { usersRoutes } from './authors/authors.routes';
import { devRoutes } from './dev/dev.routes';
import { passkeyAccountRoutes, passkeySignInRoutes, serveWebAuthnBrowser } from './factors/passkeys.routes';
import { twoFactorAccountRoutes, twoFactorSignInRoutes } from './factors/two-factor.routes';
import { feedsRoutes } from './feeds/feeds.routes';
import { subscribeRoutes } from './feeds/subscribe.routes';
import { healthRoutes } from './health/health.routes';
import { allowedHosts } from './http/allowed-hosts';
import { errorHandler, notFound } from './http/error-handler';
import { exposeFlash } from './http/flash';
import { type KeptForms, restoreKeptForm, sendSignedInVisitorsOn } from './http/kept-form';
import { rejectNestedKeys } from './http/reject-nested-keys';
import { requestLogger } from './http/request-logger';
import { publicRoute } from './http/route-access';
import { securityHeaders } from './http/security-headers';
import { markListWrites } from './http/shared-results';
import { viewLocals } from './http/view-locals';
import { reportRoutes } from './moderation/report.routes';
import { publicDir, viewsDir } from './paths';
import { commentConfirmRoutes } from './posts/comments/comment-confirm.routes';
import { postsKeptForms } from './posts/posts.kept-forms';
import { draftsRoutes, postsRoutes } from './posts/posts.routes';
import { writingRoutes } from './posts/writing.routes';
import { readingListRoutes } from './reading-list/reading-list.routes';
import { exposeSavedState, readingListHeader } from './reading-list/reading-list.session';
import { recoveryRoutes } from './recovery/recovery.routes';
import { searchRoutes } from './search/search.routes';
import { csrfProtection } from './security/csrf';
import { limitNewSessions } from './security/new-sessions';
import { seoLocals } from './seo/seo';
import { createServices, type ServiceDeps, type Services } from './services';
import { noStoreForSessions } from './session/cache-control';
import { saveSessionBeforeRedirect } from './session/save-before-redirect';
import { enforceSessionLifetime } from './session/session-lifetime';
import { createSessionMiddleware, exposeEndedSession } from './session/session-middleware';
import { seoRoutes } from './sitemap/sitemap.routes';
import { tagsRoutes } from './tags/tags.routes';
import { zoneOrUtc } from './time/time-zone';
import { zonedFormatters } from './time/zoned-formatters';
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

/** What createApp needs: the services, or what they are built from (tests pass deps; server.ts the services). */
export type AppDeps = ServiceDeps;

/** Builds the Express app from its services. Never listens, never connects: see server.ts for that. */
export function createApp(input: AppDeps | Services): Express {
  const services = 'personalData' in input ? input : createServices(input);
  const {
    config,
    connection,
    logger,
    now,
    sessions: sessionStore,
    throttle,
    pageViews,
    readingLists,
    pageCache,
    pictures,
    siteSettings,
    roles,
  } = services;
  const assets = loadAssets();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('views', viewsDir);
  app.set('view cache', config.isProduction);
  // Strips the indentation and blank lines that template tags leave behind (rmWhitespace), as EJS 7 needs it.
  useEjs(app, { viewsDir, cache: config.isProduction });
  // Every res.redirect saves a changed session first (src/session/save-before-redirect.ts).
  saveSessionBeforeRedirect(app);
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

  // What code that has only the request needs of the app: its clock, and the writing forms and sign-in
  // reasons the features declare (kept forms: src/http/kept-form.ts, reached from the sign-in guard).
  const keptForms: KeptForms = {
    forms: [...postsKeptForms.forms],
    reasons: [...postsKeptForms.reasons, { page: /^\/account(\/|$)/, reason: 'account' }],
  };
  app.use((req, _res, next) => {
    req.now = now;
    req.keptForms = keptForms;
    next();
  });
  app.use(allowedHosts(config.allowedHosts));
  app.use(securityHeaders({ https: config.session.cookieSecure }));
  // Pictures of public posts, the hot path of a page with pictures: after the host check and the security
  // headers, before everything else — the request log (like /healthz: a page with ten pictures would write
  // eleven lines), compression (already-compressed formats), the static files (no disk lookup for
  // /images/…/960.webp) and the session. Only public hits are answered there; an unknown or not-yet-public
  // picture goes on down the ordinary path, logged (src/images/images.serve.ts).
  app.use('/images', pictures.serving);
  app.use(noStoreForSessions);
  app.use(requestLogger(app, logger));
  // br or gzip for every compressible response (HTML, CSS, JS, JSON, XML), as the browser accepts, with
  // Vary: Accept-Encoding. Pages served from the page cache come already compressed (once per encoding).
  app.use(compression());
  // Static files and health probes come before the session: they never cost a session read.
  // Only a path that names a file (it has an extension) is looked up on disk; without this guard every page
  // request pays for a failed fs.stat and its error object: ~5% of GET /posts's CPU in `npm run bench`.
  // Minified CSS and JS under content-hashed URLs, immutable (src/assets); public/ keeps serving the rest.
  app.use(assets.middleware());
  const staticFiles = express.static(publicDir, {
    maxAge: config.isProduction ? '365d' : 0,
    immutable: config.isProduction,
    index: false,
  });
  app.use((req, res, next) => (/\.[^/]+$/.test(req.path) ? staticFiles(req, res, next) : next()));
  app.get('/js/simplewebauthn-browser.js', [publicRoute], serveWebAuthnBrowser(config.isProduction));
  app.use(healthRoutes(connection));
  // The sitemap and robots.txt need no session: served before it, like the health probes.
  app.use(seoRoutes(services));
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
  app.use(enforceSessionLifetime(config.session, now));
  // Every date on the page in the account's zone (src/time); anonymous pages (cached, shared) say UTC.
  const zonedDates = (req: Request) => zonedFormatters(zoneOrUtc(req.session?.user?.timeZone));
  app.use(viewLocals([readingListHeader, zonedDates]));
  // Multipart, which the CSRF middleware cannot read: the upload checks origin, session and token itself.
  app.use('/images', pictures.upload);
  // CSRF first: a forged post with a malformed token field (`_csrf[x]=y`) is a 403, like any other forgery.
  app.use(csrfProtection());
  app.use(limitNewSessions(throttle));
  app.use(rejectNestedKeys);
  app.use(exposeFlash, pageViews.middleware());
  // Read-your-writes for the shared list results: a signed-in write under /posts marks its session.
  app.use(markListWrites(now, /^\/posts(\/|$)/));
  // Description, canonical URL and link-preview defaults for every page (src/seo).
  app.use(seoLocals(config.publicUrl));
  // A form kept when its session ended comes back filled in (src/http/kept-form.ts).
  app.use(restoreKeptForm);

  app.get('/', publicRoute, (_req, res) => res.redirect('/posts'));
  app.use('/auth', sendSignedInVisitorsOn);
  // A post's page shows whether the reader saved it ("Saved ✓ / Remove").
  app.get('/posts/:id', [publicRoute], exposeSavedState(readingLists));
  app.use('/auth', authRoutes(services));
  app.use('/auth', twoFactorSignInRoutes(services), passkeySignInRoutes(services));
  app.use(
    '/auth',
    recoveryRoutes({
      ...services,
      // A completed reset ends the account's wrong-code streak (the new password is the owner's).
      onPasswordReset: (userId) => services.codeThrottle.clear(userId),
    }),
  );
  app.use('/account', recoveryNotice(services.users));
  app.use('/account', twoFactorAccountRoutes(services), passkeyAccountRoutes(services));
  app.use('/account', settingsRoutes(services));
  app.use('/account/email', emailResendRoutes(services));
  app.use('/account/email', emailRoutes(services));
  // The development outbox: absent in production, so /dev/mail is a 404 there like any unknown path.
  if (!config.isProduction) app.use('/dev', devRoutes(services));
  // The editor's Preview and autosave (before /posts/:id, which would take "preview" for an id).
  app.use('/posts', writingRoutes({ ...services, writers: roles.requireCan('post.create') }));
  app.use('/posts', postsRoutes({ ...services, images: pictures.forPosts, shared: services.sharedResults }));
  // Deeper paths only (/posts/:id/report, /posts/:id/comments/:commentId/…), none of which the posts router
  // answers: after it, so the list and the post pages, most of the traffic, are found without entering these.
  app.use('/posts', reportRoutes(services));
  app.use('/posts', commentConfirmRoutes(services));
  app.use('/admin', adminRoutes({ ...services, settings: siteSettings }));
  app.use('/drafts', draftsRoutes(services));
  app.use(pictures.routes);
  app.use(subscribeRoutes({ publicUrl: config.publicUrl, siteName: app.locals.siteName as string }));
  app.use(feedsRoutes({ ...services, siteName: app.locals.siteName as string }));
  app.use('/tags', tagsRoutes(services));
  app.use('/search', searchRoutes(services));
  app.use('/users', usersRoutes(services));
  app.use('/reading-list', readingListRoutes(services));
  app.use('/account', accountRoutes(services));
  app.use('/account', accountSecurityRoutes(services));

  app.use(notFound);
  app.use(errorHandler({ logger, exposeDetails: !config.isProduction }));
  return app;
}
