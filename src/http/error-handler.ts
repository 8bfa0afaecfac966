import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/database-errors';
import { FormError, HttpError, NotFoundError, ServiceUnavailableError, TooManyRequestsError } from './errors';
import { wantsJson } from './negotiate';

/** Unknown paths: the same 404 as a missing record, through the same path. */
export const notFound: RequestHandler = () => {
  throw new NotFoundError('Page not found');
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Page not found',
  413: 'Too large',
  415: 'Not a picture Folio takes',
  422: 'Please check the form',
  429: 'Too many attempts',
  503: 'Temporarily unavailable',
};

/**
 * express-session (configured with `unset: 'destroy'`) deletes from the store any session that a request
 * ends without — including one it merely failed to read. When the read failed because MongoDB is unavailable,
 * forget the id for the rest of this response: the delete would cost a second doomed round-trip (another
 * server-selection timeout, past the 3 s a 503 must take), and were MongoDB merely flaky, it could succeed
 * and sign the visitor out over a failed read.
 */
function keepUnreadSession(req: Request): void {
  if (req.session === undefined && typeof req.sessionID === 'string') {
    // Typed as always present, but express-session itself checks it before saving, touching or destroying.
    (req as { sessionID?: string }).sessionID = undefined;
  }
}

/** Errors from body parsing etc. carry a 4xx `status` and an `expose` flag (http-errors). */
function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  const expose = (err as { expose?: unknown }).expose;
  // The router's URIError for a malformed %-escape in a path parameter (`/auth/reset/%E0%A4%A`) is a 400 too.
  const known = expose === true || err instanceof URIError;
  return typeof status === 'number' && status >= 400 && status < 500 && known ? status : undefined;
}

/**
 * The one error path. Known errors map to their status; anything else is a 500 that is logged in full and
 * shown to the client as a bare "Something went wrong" — never a stack or an internal message in production.
 */
export function errorHandler(options: { logger: Logger; exposeDetails: boolean }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const unavailable = !(err instanceof HttpError) && isDatabaseUnavailable(err);
    if (unavailable) keepUnreadSession(req);
    const known: HttpError | undefined =
      err instanceof HttpError
        ? err
        : unavailable
          ? new ServiceUnavailableError()
          : clientErrorStatus(err) !== undefined
            ? new HttpError(clientErrorStatus(err) ?? 400, TITLES[clientErrorStatus(err) ?? 400] ?? 'Bad request')
            : undefined;
    const status = known?.status ?? 500;

    const log = req.log ?? options.logger;
    // An outage is one condition, not a bug per request: a short warning each, without the driver's topology dump.
    if (unavailable) log.warn({ err: { name: err.name, message: err.message } }, 'MongoDB unavailable: answered 503');
    else if (status >= 500) log.error({ err }, 'request failed');
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (status === 503) res.set('Retry-After', '5');
    if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));

    const message = known?.publicMessage ?? 'Something went wrong';
    if (wantsJson(req)) {
      const body: Record<string, unknown> = { error: message };
      if (err instanceof FormError && Object.keys(err.fieldErrors).length > 0) body.fields = err.fieldErrors;
      res.status(status).json(body);
      return;
    }

    if (err instanceof TooManyRequestsError && err.form) {
      const { view, locals, values, now } = err.form;
      res.status(429).render(view, {
        ...locals,
        values,
        retryAt: new Date(now + err.retryAfterSeconds * 1000),
        formMessage: message,
      });
      return;
    }

    if (err instanceof FormError) {
      res.status(status).render(err.view, {
        ...err.viewLocals,
        values: err.values,
        errors: err.fieldErrors,
        // "the field" when one is wrong (a one-field form, or one slip in a long one): the words match the page.
        formMessage:
          err.formMessage ??
          (Object.keys(err.fieldErrors).length === 1
            ? 'Please correct the field marked below.'
            : 'Please correct the fields marked below.'),
      });
      return;
    }

    res.status(status).render('errors/error', {
      title: TITLES[status] ?? 'Something went wrong',
      status,
      message,
      // Development only: the stack helps the developer; in production nothing internal leaves the server.
      details: options.exposeDetails && status >= 500 && err instanceof Error ? err.stack : undefined,
    });
  };
}
