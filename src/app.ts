import express, { type Express } from 'express';
import type session from 'express-session';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { authRoutes } from './auth/auth.routes';
import { createPasswordVerifier } from './auth/passwords';
import { userModel } from './auth/user.model';
import type { Config } from './config';
import { healthRoutes } from './health/health.routes';
import { errorHandler, notFound } from './http/error-handler';
import { exposeFlash } from './http/flash';
import { rejectNestedKeys } from './http/reject-nested-keys';
import { requestLogger } from './http/request-logger';
import { securityHeaders } from './http/security-headers';
import { viewLocals } from './http/view-locals';
import { publicDir, viewsDir } from './paths';
import { postModel } from './posts/post.model';
import { postsRoutes } from './posts/posts.routes';
import { createSessionMiddleware, createSessionStore } from './session/session-middleware';
import { excerpt, formatDate, isoDate } from './views-helpers/format';

export interface AppDeps {
  readonly config: Config;
  /** An open mongoose connection; the app never connects or disconnects it. */
  readonly connection: Connection;
  readonly logger: Logger;
  /** Defaults to a connect-mongo store on `connection`. */
  readonly sessionStore?: session.Store;
}

/** Builds the Express app from its dependencies. Never listens, never connects: see server.ts for that. */
export function createApp(deps: AppDeps): Express {
  const { config, connection, logger } = deps;
  const users = userModel(connection);
  const posts = postModel(connection);
  const sessionStore = deps.sessionStore ?? createSessionStore(connection, config);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', viewsDir);
  app.set('view cache', config.isProduction);
  Object.assign(app.locals, { siteName: 'Folio', formatDate, isoDate, excerpt });

  app.use(securityHeaders({ https: config.session.cookieSecure }));
  app.use(requestLogger(logger));
  // Static files and health probes come before the session: they never cost a session read.
  app.use(express.static(publicDir, { maxAge: config.isProduction ? '1d' : 0, index: false }));
  app.use(healthRoutes(connection));

  // Flat bodies only (extended: false cannot build nested objects) and small ones.
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 50 }));
  app.use(express.json({ limit: '100kb' }));
  app.use(rejectNestedKeys);
  app.use(createSessionMiddleware(config, sessionStore));
  app.use(viewLocals, exposeFlash);

  app.get('/', (_req, res) => res.redirect('/posts'));
  app.use('/auth', authRoutes({ config, users, verifyPassword: createPasswordVerifier(config.bcryptCost), logger }));
  app.use('/posts', postsRoutes({ posts }));

  app.use(notFound);
  app.use(errorHandler({ logger, exposeDetails: !config.isProduction }));
  return app;
}
