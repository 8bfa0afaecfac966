import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/**
 * One JSON line per request with a request id, also sent back as X-Request-Id so a user's report can be
 * matched to the log. Only the fields worth keeping are serialised: no cookies, no bodies.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // 503 means "MongoDB is unavailable": an outage, logged as such once (db/connect.ts), not a bug per request.
    customLogLevel: (_req, res, err) =>
      err || (res.statusCode >= 500 && res.statusCode !== 503) ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // For a 5xx, pino-http would attach a made-up Error ("failed with status code 500") with its own stack; the
    // real error is already logged, with this request's id, by the error handler.
    customErrorObject: (_req, _res, _err, { err: _madeUp, ...line }) => line,
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        // Mailed links carry their token in the path (/auth/invite/:token, …): never written to a log.
        url: req.url.replace(/\/[A-Za-z0-9_-]{43}(?=[/?#]|$)/g, '/[token]'),
        ip: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // The client as Express sees it (through TRUST_PROXY), and who it was once the session is known.
    customProps: (req) => {
      const r = req as typeof req & { ip?: string; session?: { user?: { id: string } } };
      return { clientIp: r.ip, userId: r.session?.user?.id };
    },
    autoLogging: { ignore: (req) => req.url === '/healthz' },
  });
}
