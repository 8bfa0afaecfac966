import type { ErrorRequestHandler, RequestHandler } from 'express';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { FormError, HttpError, NotFoundError, ServiceUnavailableError } from './errors';
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
  422: 'Please check the form',
  429: 'Too many attempts',
  503: 'Temporarily unavailable',
};

/** Driver errors that mean "MongoDB is unreachable right now", not "this request was wrong". */
function isDatabaseUnavailable(err: unknown): boolean {
  return (
    err instanceof mongoose.mongo.MongoServerSelectionError ||
    err instanceof mongoose.mongo.MongoNetworkError ||
    err instanceof mongoose.mongo.MongoNotConnectedError ||
    (err instanceof Error && err.name === 'MongoTopologyClosedError')
  );
}

/** Errors from body parsing etc. carry a 4xx `status` and an `expose` flag (http-errors). */
function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  const expose = (err as { expose?: unknown }).expose;
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : undefined;
}

/**
 * The one error path. Known errors map to their status; anything else is a 500 that is logged in full and
 * shown to the client as a bare "Something went wrong" — never a stack or an internal message in production.
 */
export function errorHandler(options: { logger: Logger; exposeDetails: boolean }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known: HttpError | undefined =
      err instanceof HttpError
        ? err
        : isDatabaseUnavailable(err)
          ? new ServiceUnavailableError()
          : clientErrorStatus(err) !== undefined
            ? new HttpError(clientErrorStatus(err) ?? 400, TITLES[clientErrorStatus(err) ?? 400] ?? 'Bad request')
            : undefined;
    const status = known?.status ?? 500;

    if (status >= 500) (req.log ?? options.logger).error({ err }, 'request failed');
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (status === 503) res.set('Retry-After', '5');

    const message = known?.publicMessage ?? 'Something went wrong';
    if (wantsJson(req)) {
      const body: Record<string, unknown> = { error: message };
      if (err instanceof FormError && Object.keys(err.fieldErrors).length > 0) body.fields = err.fieldErrors;
      res.status(status).json(body);
      return;
    }

    if (err instanceof FormError) {
      res.status(status).render(err.view, {
        ...err.viewLocals,
        values: err.values,
        errors: err.fieldErrors,
        formMessage: err.formMessage ?? 'Please correct the fields marked below.',
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
