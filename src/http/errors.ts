/**
 * Errors that the one error middleware knows how to answer. Handlers throw these (or anything else,
 * which becomes a 500); nothing catches them on the way.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** Safe to show to anyone. */
    readonly publicMessage: string,
  ) {
    super(publicMessage);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message = 'Bad request') {
    super(400, message);
  }
}

export class UnauthenticatedError extends HttpError {
  constructor() {
    super(401, 'Not authenticated');
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'Forbidden') {
    super(403, message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Not found') {
    super(404, message);
  }
}

export class ServiceUnavailableError extends HttpError {
  constructor(message = 'Service temporarily unavailable') {
    super(503, message);
  }
}

export type FieldErrors = Readonly<Record<string, string>>;

/**
 * A form that cannot be accepted as sent: the error middleware re-renders `view` with the user's input
 * (never passwords) and a message next to each field; JSON clients get the same messages.
 */
export class FormError extends HttpError {
  readonly values: Readonly<Record<string, unknown>>;
  constructor(
    status: 401 | 422,
    readonly view: string,
    readonly viewLocals: Readonly<Record<string, unknown>>,
    readonly fieldErrors: FieldErrors,
    values: Readonly<Record<string, unknown>>,
    message = status === 422 ? 'Validation failed' : 'Invalid credentials',
    /** Shown above the form; for errors that belong to no single field. */
    readonly formMessage?: string,
  ) {
    super(status, message);
    this.values = withoutSecrets(values);
  }
}

function withoutSecrets(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !/password|_csrf/i.test(key)));
}

/** A form to show again with a 429 (the login form, so the visitor sees when it reopens and what else to do). */
export interface ThrottledForm {
  readonly view: string;
  readonly locals: Readonly<Record<string, unknown>>;
  readonly values: Readonly<Record<string, unknown>>;
  /** Epoch ms of "now" by the app's clock: the reopening time is now + Retry-After. */
  readonly now: number;
}

/** 429; the error handler sets `Retry-After` from it and, for a browser, re-renders `form` when given. */
export class TooManyRequestsError extends HttpError {
  readonly form: (ThrottledForm & { readonly values: Record<string, unknown> }) | undefined;
  constructor(
    readonly retryAfterSeconds: number,
    form?: ThrottledForm,
  ) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(429, `Too many attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`);
    this.form = form && { ...form, values: withoutSecrets(form.values) };
  }
}
