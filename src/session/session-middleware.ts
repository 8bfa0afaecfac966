import { MongoStore } from 'connect-mongo';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Connection } from 'mongoose';
import type { Config } from '../config';
import './session-data';

export const SESSIONS_COLLECTION = 'sessions';

/**
 * Sessions live in MongoDB, in the app's own database and client, so any number of app processes share them.
 * Stored as objects (not JSON strings) so they can be queried by user.
 */
export function createSessionStore(connection: Connection, config: Config): MongoStore {
  return MongoStore.create({
    // mongoose bundles the driver connect-mongo expects; one connection pool serves both.
    client: connection.getClient() as unknown as ConstructorParameters<typeof MongoStore>[0]['client'],
    dbName: connection.name,
    collectionName: SESSIONS_COLLECTION,
    stringify: false,
    // For cookies without Max-Age (no "Remember me"), the stored session expires after the idle limit.
    ttl: Math.ceil(config.session.idleMs / 1000),
    touchAfter: config.session.touchAfterSeconds,
    // The TTL index on `expires` is made by prepareDatabase(). Left to connect-mongo, a failed index build
    // (say, MongoDB briefly down) would reject its collection promise and break the store for good.
    autoRemove: 'disabled',
  });
}

export function createSessionMiddleware(config: Config, store: session.Store): RequestHandler {
  return session({
    name: config.session.cookieName,
    secret: [...config.session.secrets],
    store,
    resave: false,
    saveUninitialized: false,
    // 'keep': logout and revocation destroy sessions explicitly; a request that merely failed to load its
    // session (MongoDB down) must not delete it on the way out.
    unset: 'keep',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.session.cookieSecure,
      path: '/',
      // No maxAge by default: a browser-session cookie; "Remember me" sets one at login.
    },
  });
}
