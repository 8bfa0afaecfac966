import { randomUUID } from 'node:crypto';
import type { Express as App, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * A path segment or query value that is a bearer token: 32+ URL-safe characters (mailed links carry 43; ids
 * are 24 hex). Matched by shape, not by route, so every route that carries a token — /auth/reset/:token,
 * /account/email/verify/:token, /account/restore/:token, /account/not-me/:token, and any added later such as
 * /auth/invite/:token — is logged as `/auth/reset/:token`: a token copied from the log opens nothing.
 */
const TOKEN_SEGMENT = /([/=])[A-Za-z0-9_-]{32,}(?=[/?&#]|$)/g;

export function redactTokens(url: string): string {
  return url.replace(TOKEN_SEGMENT, '$1:token');
}

const INCOMING_ID = /^[\w.-]{1,64}$/;

declare global {
  namespace Express {
    interface Request {
      /** This request's id: X-Request-Id as received (when well-formed) or made here; sent back in the answer. */
      id: string;
      /**
       * The log for this request's own lines: every line carries the request (`req`) and `clientIp`. Set for
       * every request the request log has seen: all but the public pictures answered before it (app.ts).
       */
      log: Logger;
    }
  }
}

/** What a request's own log is made from, on first use (`req.log`). */
interface OwnLog {
  readonly base: Logger;
  readonly line: RequestLine;
  made?: Logger;
}
interface RequestLine {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly ip: string | undefined;
}
const OWN_LOG = Symbol('folio.ownLog');
type WithOwnLog = Request & { [OWN_LOG]?: OwnLog };

/**
 * One JSON line per request with a request id, also sent back as X-Request-Id so a user's report can be
 * matched to the log. Only the fields worth keeping are serialised: no cookies, no bodies.
 *
 * The line is the one pino-http wrote (`req`, `res`, `responseTime`, `clientIp`, `userId`; "request
 * completed", "request aborted" or "request errored"), written here in one call: pino-http made two child
 * loggers per request, and a third when the response ended with a user, ~5% of a signed-in page view's CPU
 * (`npm run bench -- --profile posts-signed-in`). `req.log`, for the handlers' own lines, is a getter on this
 * app's request prototype (as Express defines `req.ip`) rather than a property defined on each request, and
 * the child logger is made the first time a handler logs: most requests never do.
 */
export function requestLogger(app: App, logger: Logger): RequestHandler {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: WithOwnLog): Logger | undefined {
      const own = this[OWN_LOG];
      if (!own) return undefined;
      // The client as Express sees it (through TRUST_PROXY).
      own.made ??= own.base.child({ req: own.line, clientIp: this.ip });
      return own.made;
    },
  });

  return (req, res, next) => {
    const startedAt = Date.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    // The URL as received: routers mounted under a path rewrite req.url on the way.
    const line: RequestLine = {
      id,
      method: req.method,
      url: redactTokens(req.originalUrl),
      ip: req.socket.remoteAddress,
    };
    (req as WithOwnLog)[OWN_LOG] = { base: logger, line };
    if (req.url === '/healthz') return next();

    const done = () => {
      res.removeListener('close', done);
      res.removeListener('finish', done);
      const status = res.statusCode;
      // 503 means "MongoDB is unavailable": an outage, logged as such once (db/connect.ts), not a bug per request.
      const level = status >= 500 && status !== 503 ? 'error' : status >= 400 ? 'warn' : 'info';
      // The real error of a 5xx is already logged, with this request's id, by the error handler.
      const message =
        status >= 500
          ? 'request errored'
          : !req.readableAborted && res.writableEnded
            ? 'request completed'
            : 'request aborted';
      logger[level](
        {
          req: line,
          // Who it was, once the session is known.
          clientIp: req.ip,
          userId: req.session?.user?.id,
          res: { statusCode: status },
          responseTime: Date.now() - startedAt,
        },
        message,
      );
    };
    res.on('close', done);
    res.on('finish', done);
    next();
  };
}
