import type { Request, RequestHandler, Response } from 'express';
import 'express-session';
import { ForbiddenError } from './errors';
import { flash } from './flash';
import { wantsJson } from './negotiate';
import { safeNextPath } from './safe-redirect';
import { echoable } from './validate';

/**
 * Nothing typed is lost. When a post, an edit or a comment arrives from a session that has ended (signed out
 * on another device, logged out in another tab, idle or absolute timeout), what was typed is kept in the
 * visitor's new anonymous session (server-side: no script needed, nothing left in the browser's storage),
 * the writer is sent to log in with the reason and `next` back to the form, and the form is filled in again
 * on the first visit after signing in. Bounded: at most KEPT_FORM_MAX_CHARS characters in all (names and
 * values), only the form's own fields, one form at a time (the newest), dropped after KEPT_FORM_MAX_AGE_MS.
 * Passwords and tokens are never kept.
 * A kept form belongs to whoever typed it (issue 19): it is kept only from a session that was signed in (its
 * user id kept with it), shown again only to that user, and dropped when anyone else signs in on that browser
 * (auth/sign-in.service.ts) — so nobody can plant text in someone's form, or read what they left.
 */

export const KEPT_FORM_MAX_CHARS = 24_000;
export const KEPT_FORM_MAX_AGE_MS = 24 * 3_600_000;

/** The app's clock (createApp gives every request `req.now`), so tests move time; Date.now outside an app. */
const clockOf = (req: Request): (() => number) => req.now ?? Date.now;

export interface KeptForm {
  /** The page that shows the form again (a same-site path), e.g. /posts/new. */
  readonly page: string;
  readonly fields: Record<string, string>;
  readonly keptAt: number;
  /** Why the session ended, for the login page (the visitor's new session no longer names the old one). */
  readonly reason?: LoginReason;
  /** Who was signed in on the session that ended: the only one it is restored to. */
  readonly userId: string;
}

declare module 'express-session' {
  interface SessionData {
    keptForm: KeptForm;
  }
}

/** Why the login page was shown; each has its own sentence there. */
export type LoginReason =
  | 'write'
  | 'comment'
  | 'account'
  | 'signin'
  | 'revoked'
  | 'signed_out'
  | 'password_changed'
  | 'expired';

export const LOGIN_REASONS: Readonly<Record<LoginReason, string>> = {
  write: 'Sign in to write a post.',
  comment: 'Sign in to comment.',
  account: 'Sign in to see your account.',
  signin: 'Sign in to carry on.',
  revoked: 'You were signed out on another device. Sign in again to carry on.',
  signed_out: 'You were signed out: you logged out in another tab or window. Sign in again to carry on.',
  password_changed: 'Your password was changed, which signed out every device. Sign in with the new one.',
  expired: 'Your session expired. Sign in again to carry on.',
};

const EXPIRY_FLASH = /^Your session expired/;

/**
 * A writing form whose text is worth keeping, declared by the feature that owns it (the composition root hands
 * the declarations to every request as `req.keptForms`): http/ knows no feature's URLs.
 */
export interface WritingForm {
  /** The path the form posts to; its first group, if any, is the record's id. */
  readonly action: RegExp;
  /** The page that shows the form again, from the id the action matched. */
  readonly page: (id: string) => string;
  /** Where on that page the form is (`#comments`), for the redirect after sign-in. */
  readonly anchor?: string;
  /** The form's own fields: nothing else a request carries is kept. */
  readonly fields: readonly string[];
}

/** A page that needs a sign-in, and the sentence the login page shows for it ("Sign in to write a post."). */
export interface SignInReason {
  readonly page: RegExp;
  readonly reason: LoginReason;
}

export interface KeptForms {
  readonly forms: readonly WritingForm[];
  readonly reasons: readonly SignInReason[];
}

declare global {
  namespace Express {
    interface Request {
      /** The features' writing forms and sign-in reasons (set by createApp's first middleware). */
      keptForms?: KeptForms;
    }
  }
}

function writingFormOf(req: Request) {
  if (req.method !== 'POST') return undefined;
  const path = req.originalUrl.split('?')[0] ?? '';
  for (const form of req.keptForms?.forms ?? []) {
    const match = form.action.exec(path);
    if (match) {
      return { page: form.page((match[1] ?? '').toLowerCase()), anchor: form.anchor, fields: form.fields };
    }
  }
  return undefined;
}

/** The page of the writing form this POST came from, or undefined for any other form. */
export function writingFormPage(req: Request): string | undefined {
  return writingFormOf(req)?.page;
}

/** The form's own fields as typed (plain strings), within the size bound (names and values); else undefined. */
function typedFields(req: Request, own: readonly string[]): Record<string, string> | undefined {
  const fields = Object.fromEntries(Object.entries(echoable(req.body)).filter(([name]) => own.includes(name)));
  const size = Object.entries(fields).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
  return size <= KEPT_FORM_MAX_CHARS ? fields : undefined;
}

/**
 * Who was signed in on the session that just ended for this visitor: from the store's tombstone, or from the
 * timeout that replaced it (session-lifetime.ts). Undefined for a visitor who never was: nothing is kept then.
 */
function endedSessionUser(req: Request, res: Response): string | undefined {
  const fromTombstone: unknown = res.locals.sessionEndedUserId;
  if (typeof fromTombstone === 'string') return fromTombstone;
  return req.session?.endedUserId;
}

/**
 * Why this visitor is not (or no longer) signed in: the store's tombstone (res.locals.sessionEnded, set when the
 * cookie named an ended session), or the notice the timeout middleware left when it replaced an expired one.
 */
export function endedReason(req: Request, res: Response): LoginReason | undefined {
  const ended: unknown = res.locals.sessionEnded;
  if (ended === 'revoked' || ended === 'signed_out' || ended === 'password_changed' || ended === 'expired') {
    return ended;
  }
  if (ended === 'account_closed') return 'signin';
  if (req.session?.flash?.some((m) => EXPIRY_FLASH.test(m.text))) return 'expired';
  return undefined;
}

function reasonForPage(req: Request, page: string): LoginReason {
  return req.keptForms?.reasons.find((r) => r.page.test(page))?.reason ?? 'signin';
}

/**
 * A browser that is not signed in, at a page or form that needs it: to the login page with `next` (which also
 * tells the page why: "Log in to write a post"). A writing form's text is kept first, with the reason the
 * session ended. Used by isAuthenticated and by the CSRF check (below).
 */
export function sendToLogin(req: Request, res: Response): void {
  const ended = endedReason(req, res);
  const form = writingFormOf(req);
  let next: string | undefined;
  if (req.method === 'GET') {
    next = req.originalUrl;
  } else if (form) {
    const formPage = form.page;
    // A comment's form is further down its post's page.
    next = `${formPage}${form.anchor ?? ''}`;
    const owner = endedSessionUser(req, res);
    const fields = owner ? typedFields(req, form.fields) : undefined;
    if (owner && fields && Object.values(fields).some((v) => v.trim() !== '')) {
      req.session.keptForm = {
        page: formPage,
        fields,
        keptAt: clockOf(req)(),
        userId: owner,
        ...(ended ? { reason: ended } : {}),
      };
    }
  }
  res.redirect(303, next ? `/auth/login?next=${encodeURIComponent(next)}` : '/auth/login');
}

/** The login page says why (expired) itself; the timeout's own notice would say it twice. */
function dropExpiryFlash(req: Request): void {
  const rest = req.session.flash?.filter((m) => !EXPIRY_FLASH.test(m.text));
  if (!req.session.flash) return;
  if (rest && rest.length > 0) req.session.flash = rest;
  else delete req.session.flash;
}

/**
 * The failure branch of the CSRF check, for people rather than scripts. JSON clients keep their bare 403.
 * - A writing form from a session that has just ended: handled like isAuthenticated (text kept, log in, back).
 * - Any other form: a 403 page that explains and offers to send the same fields again with a fresh token
 *   (one click, so a forged request still needs the person's consent; secrets are never echoed, so password
 *   forms instead link back to the form page).
 */
export function refuseStaleForm(req: Request, res: Response, freshToken: () => string): void {
  if (wantsJson(req)) throw new ForbiddenError('Invalid or missing CSRF token. Reload the page and try again.');
  if (!req.session.user && writingFormPage(req) && endedReason(req, res)) {
    sendToLogin(req, res);
    return;
  }
  const body = echoable(req.body);
  const hasSecrets = Object.keys(body).some((name) => /password/i.test(name));
  const fields = Object.entries(body).filter(([name]) => name !== '_csrf' && !/password/i.test(name));
  const action = safeNextPath(req.originalUrl, '/posts');
  const formPage = writingFormPage(req) ?? safeNextPath(refererPath(req), '/posts');
  res.status(403).render('errors/form-expired', {
    title: 'Please send that again',
    action,
    fields,
    canResend: !hasSecrets && !action.startsWith('/account/') && action.startsWith('/'),
    formPage,
    csrfToken: freshToken(),
    // Rendered from inside the CSRF check: viewLocals ran just before it and gave the header its locals.
    currentUser: req.session.user ?? null,
  });
}

function refererPath(req: Request): string | undefined {
  const referer = req.get('referer');
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    return url.host === req.get('host') ? url.pathname + url.search : undefined;
  } catch {
    return undefined;
  }
}

/**
 * After signing in, the first visit to the page a kept form belongs to shows it filled in again (whatever
 * values the page's own handler renders, the kept text wins), with a notice; the kept copy is then forgotten.
 */
export const restoreKeptForm: RequestHandler = (req, res, next) => {
  const kept = req.session?.keptForm;
  if (!kept || req.method !== 'GET') return next();
  if (clockOf(req)() - kept.keptAt > KEPT_FORM_MAX_AGE_MS) {
    delete req.session.keptForm;
    return next();
  }
  if (!req.session.user) return next();
  // Only to whoever typed it; anyone else signed in here never sees it (and it goes).
  if (kept.userId !== req.session.user.id) {
    delete req.session.keptForm;
    return next();
  }
  if (req.path !== kept.page) return next();
  delete req.session.keptForm;
  flash(req, 'info', 'Here is what you wrote before you were signed out. Check it, then send it again.');
  const render = res.render.bind(res);
  res.render = ((view: string, options?: object, callback?: (err: Error, html: string) => void) => {
    const given = (options ?? {}) as { values?: Record<string, unknown> };
    render(view, { ...given, values: { ...given.values, ...kept.fields }, keptFormRestored: true }, callback);
  }) as Response['render'];
  next();
};

/** Login and registration are for visitors: someone signed in is sent on (to `next`, else the front page). */
export const sendSignedInVisitorsOn: RequestHandler = (req, res, next) => {
  const user = req.session?.user;
  if (!user || req.method !== 'GET' || !/^\/(login|register)\/?$/.test(req.path)) return next();
  if (wantsJson(req)) return next();
  flash(req, 'info', `You are already signed in as ${user.username}.`);
  res.redirect(303, safeNextPath(req.query.next, '/posts'));
};

/**
 * For the login page: the sentence saying why it is shown, if any: the session that just ended (its tombstone,
 * the timeout's notice, or the reason kept with a form), else what `next` leads to.
 */
export function loginReasonText(req: Request, res: Response): string | undefined {
  const next = typeof req.query.next === 'string' ? safeNextPath(req.query.next, '') : '';
  const reason =
    endedReason(req, res) ?? req.session?.keptForm?.reason ?? (next ? reasonForPage(req, next) : undefined);
  if (reason === 'expired') dropExpiryFlash(req);
  return reason ? LOGIN_REASONS[reason] : undefined;
}
