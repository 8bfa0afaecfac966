import { type Request, type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { PENDING_SIGN_IN_MS } from '../auth/sign-in.service';
import { describeDevice } from '../http/describe-device';
import { FormError, TooManyRequestsError } from '../http/errors';
import { flash } from '../http/flash';
import { publicLink } from '../http/links';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import { safeNextPath } from '../http/safe-redirect';
import { parseForm } from '../http/validate';
import { describeDuration } from '../mail/templates';
import { isAuthenticated } from '../security/is-authenticated';
import { eventContext } from '../security-log/security-log';
import { currentUser } from '../session/current-user';
import { hasSessionData } from '../session/session-ops';
import { type CodeCheck, checkSecondFactor } from './check-second-factor';
import { CODE_FAILURES_PER_ACCOUNT, CODE_LOCK_SECONDS } from './code-throttle';
import { type FactorDeps, factorChanged } from './factors.deps';
import { newRecoveryCodes } from './factors.store';
import { groupSecret, matchTotp, newTotpSecret, otpauthUri, qrDataUrl } from './totp';

/** A secret being set up is kept this long in the session before a new one is made. */
const SETUP_MS = 30 * 60_000;

const codeSchema = z.object({
  code: z
    .string({ error: 'Enter the code from your authenticator app' })
    .trim()
    .min(1, 'Enter the code from your authenticator app')
    .max(64, 'That is not a code'),
});

const INVALID_CODE = 'That code is not right, or it was used already.';

/**
 * Checks a code (authenticator or recovery) for an account, counted per account (code-throttle.ts): refused
 * unchecked (429) while the account's codes are paused; the wrong code that reaches the limit writes its own
 * security-log event and mails the owner, whose password is evidently known; a right code ends the streak.
 */
async function checkCountedCode(deps: FactorDeps, req: Request, userId: string, code: string): Promise<CodeCheck> {
  const { codeThrottle, factors, now, securityLog } = deps;
  const attempt = await codeThrottle.begin(userId);
  if (!attempt.allowed) {
    req.log.warn({ event: 'second_factor_paused', userId, ip: req.ip }, 'codes paused for account');
    throw new TooManyRequestsError(attempt.retryAfterSeconds);
  }
  const check = await checkSecondFactor(factors, userId, code, now());
  if (check.ok) {
    await codeThrottle.clear(userId);
    return check;
  }
  const context = eventContext(req);
  await securityLog.recordFailure(userId, context);
  if (attempt.left === 0) {
    req.log.warn({ event: 'second_factor_locked', userId, ip: req.ip }, 'codes paused: too many wrong');
    await securityLog.record(userId, 'second_factor_locked', context, { failures: CODE_FAILURES_PER_ACCOUNT });
    const user = await deps.users.findById(userId, { username: 1, email: 1, emailVerified: 1 }).lean();
    if (user?.email && user.emailVerified) {
      deps.mailer.send({
        to: user.email,
        template: 'codes-locked',
        data: {
          username: user.username,
          failures: CODE_FAILURES_PER_ACCOUNT,
          pausedFor: describeDuration(CODE_LOCK_SECONDS * 1000),
          when: new Date(now()).toUTCString(),
          device: describeDevice(req.get('user-agent') ?? ''),
          ip: req.ip ?? 'unknown',
          forgotUrl: publicLink(deps.config.publicUrl, '/auth/forgot'),
          securityUrl: publicLink(deps.config.publicUrl, '/account/security'),
        },
      });
    }
  }
  return check;
}

/** /account/two-factor: turn authenticator codes on (QR, secret, one code), off (a code), new recovery codes. */
export function twoFactorAccountRoutes(deps: FactorDeps): Router {
  const { factors, now, sudo } = deps;
  const router = Router();
  const title = 'Two-factor authentication';

  /**
   * The secret this session is setting up (made on first view, kept in the session until turned on) —
   * encrypted there, like the stored seeds: a copy of the sessions collection yields no seed either.
   */
  function setupSecret(req: Request): string {
    const user = currentUser(req);
    const setup = req.session.totpSetup;
    const kept = setup && now() - setup.at <= SETUP_MS ? factors.openSetupSecret(setup.secret, user.id) : undefined;
    if (kept) return kept;
    const secret = newTotpSecret();
    req.session.totpSetup = { secret: factors.sealSetupSecret(secret, user.id), at: now() };
    return secret;
  }

  async function pageLocals(req: Request): Promise<Record<string, unknown>> {
    const user = currentUser(req);
    const record = await factors.twoFactorOf(user.id);
    if (record) {
      return {
        title,
        active: 'two-factor',
        enabled: true,
        enabledAt: record.enabledAt,
        codesLeft: record.recoveryCodes.filter((c) => c.usedAt === null).length,
      };
    }
    const secret = setupSecret(req);
    const uri = otpauthUri(secret, user.username);
    return {
      title,
      active: 'two-factor',
      enabled: false,
      secret,
      groupedSecret: groupSecret(secret),
      uri,
      qr: await qrDataUrl(uri),
    };
  }

  const show: RequestHandler = async (req, res) => {
    const locals = await pageLocals(req);
    respond(req, res, {
      json: () =>
        locals.enabled
          ? { enabled: true, recoveryCodesLeft: locals.codesLeft }
          : { enabled: false, secret: locals.secret, otpauthUri: locals.uri },
      html: { view: 'account/two-factor', locals },
    });
  };

  /** Back from "Confirm your password" on an action's own path: the page the action's form is on. */
  const backToPage: RequestHandler = (_req, res) => res.redirect(303, '/account/two-factor');

  function showCodes(req: Request, res: Parameters<RequestHandler>[1], codes: string[], message: string) {
    // Shown once: never cached, never stored in plain anywhere.
    res.set('Cache-Control', 'no-store');
    respond(req, res, {
      json: () => ({ message, recoveryCodes: codes }),
      html: {
        view: 'account/two-factor-codes',
        locals: { title: 'Your recovery codes', active: 'two-factor', codes, message },
      },
    });
  }

  const enable: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const form = { view: 'account/two-factor', locals: await pageLocals(req) };
    if (form.locals.enabled) {
      flash(req, 'info', 'Authenticator codes are already on.');
      res.redirect(303, '/account/two-factor');
      return;
    }
    const input = parseForm(codeSchema, req.body, form);
    const secret = String(form.locals.secret);
    const step = matchTotp(secret, input.code, now());
    if (step === null) {
      throw new FormError(
        422,
        form.view,
        form.locals,
        { code: 'That code is not right: check the app and try the newest one' },
        {},
      );
    }
    const codes = newRecoveryCodes();
    if (!(await factors.enableTwoFactor(user.id, secret, step, codes.stored, new Date(now())))) {
      flash(req, 'info', 'Authenticator codes are already on.');
      res.redirect(303, '/account/two-factor');
      return;
    }
    req.session.totpSetup = undefined;
    await factorChanged(deps, req, user.id, 'two_factor_enabled');
    req.log.info({ event: 'two_factor_enabled', userId: user.id }, 'authenticator codes turned on');
    showCodes(req, res, codes.plain, 'Authenticator codes are on');
  };

  const disable: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const form = { view: 'account/two-factor', locals: await pageLocals(req) };
    if (!form.locals.enabled) {
      res.redirect(303, '/account/two-factor');
      return;
    }
    const input = parseForm(codeSchema, req.body, form);
    // Guessing codes here counts on the account's code limit (a stolen session in sudo mode is not enough).
    const check = await checkCountedCode(deps, req, user.id, input.code);
    if (!check.ok) throw new FormError(422, form.view, form.locals, { code: INVALID_CODE }, {});
    await factors.disableTwoFactor(user.id);
    await factorChanged(deps, req, user.id, 'two_factor_disabled');
    req.log.info({ event: 'two_factor_disabled', userId: user.id }, 'authenticator codes turned off');
    respond(req, res, {
      json: () => ({ message: 'Authenticator codes are off' }),
      html: () => {
        flash(req, 'success', 'Authenticator codes are off. Your password alone now signs you in.');
        res.redirect(303, '/account/two-factor');
      },
    });
  };

  const regenerate: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const codes = newRecoveryCodes();
    if (!(await factors.replaceRecoveryCodes(user.id, codes.stored))) {
      res.redirect(303, '/account/two-factor');
      return;
    }
    await factorChanged(deps, req, user.id, 'recovery_codes_regenerated');
    showCodes(req, res, codes.plain, 'New recovery codes made: the old ones no longer work');
  };

  router.get('/two-factor', [isAuthenticated], show);
  router.get('/two-factor/enable', [isAuthenticated], backToPage);
  router.post('/two-factor/enable', [isAuthenticated, sudo], enable);
  router.get('/two-factor/disable', [isAuthenticated], backToPage);
  router.post('/two-factor/disable', [isAuthenticated, sudo], disable);
  router.get('/two-factor/recovery-codes', [isAuthenticated], backToPage);
  router.post('/two-factor/recovery-codes', [isAuthenticated, sudo], regenerate);
  return router;
}

/** /auth/two-factor: the second step of a sign-in, for a visitor whose password was right a moment ago. */
export function twoFactorSignInRoutes(deps: FactorDeps): Router {
  const { now, signIns } = deps;
  const router = Router();
  const title = 'Enter your code';

  function pending(req: Request) {
    const step = req.session.pendingSecondStep;
    if (!step) return null;
    // A step from before steps were bound to the credentials version is not trusted: sign in again.
    if (now() - step.at > PENDING_SIGN_IN_MS || typeof step.credentialsVersion !== 'number') {
      req.session.pendingSecondStep = undefined;
      return null;
    }
    return step;
  }

  function startAgain(req: Request, res: Parameters<RequestHandler>[1]) {
    respond(req, res, {
      status: 401,
      json: () => ({ error: 'Sign in again' }),
      html: () => {
        // Only a visitor who has a session hears why (a flash would start a session for anyone else).
        if (hasSessionData(req)) flash(req, 'info', 'Please sign in again.');
        res.redirect(303, '/auth/login');
      },
    });
  }

  const show: RequestHandler = (req, res) => {
    if (!pending(req)) return startAgain(req, res);
    res.render('auth/two-factor', { title });
  };

  const verify: RequestHandler = async (req, res) => {
    const step = pending(req);
    if (!step) return startAgain(req, res);
    const form = { view: 'auth/two-factor', locals: { title } };
    const input = parseForm(codeSchema, req.body, form);
    const log = req.log;
    let check: CodeCheck;
    try {
      check = await checkCountedCode(deps, req, step.userId, input.code);
    } catch (err) {
      if (err instanceof TooManyRequestsError) {
        throw new TooManyRequestsError(err.retryAfterSeconds, { ...form, values: {}, now: now() });
      }
      throw err;
    }
    if (!check.ok) {
      log.warn({ event: 'two_factor_failed', username: step.username, ip: req.ip }, 'wrong second-step code');
      throw new FormError(401, form.view, form.locals, { code: INVALID_CODE }, {}, 'Invalid code');
    }
    // The pipeline starts a new session: the pending step does not survive it. Sudo only for password + code
    // (a recovery code replaces the authenticator, and "keep my account" grants none).
    const result = await signIns.complete(req, res, {
      userId: step.userId,
      credentialsVersion: step.credentialsVersion,
      method: check.method,
      secondFactorProven: true,
      sudo: step.sudo && check.method === 'two_factor',
      remember: step.remember,
      next: step.next,
    });
    if (result.outcome === 'answered') return;
    if (result.outcome === 'superseded') return startAgain(req, res);
    if (check.method === 'recovery_code') {
      await factorChanged(deps, req, step.userId, 'recovery_code_used', { left: check.left });
    }
    respond(req, res, {
      json: () => ({ message: 'Logged in' }),
      html: () => {
        if (check.method === 'recovery_code') {
          flash(
            req,
            check.left <= 3 ? 'error' : 'info',
            `You used a recovery code: ${check.left} left. Make new ones under Settings → Two-factor.`,
          );
        }
        res.redirect(303, safeNextPath(step.next));
      },
    });
  };

  router.get('/two-factor', [publicRoute], show);
  router.post('/two-factor', [publicRoute], verify);
  return router;
}
