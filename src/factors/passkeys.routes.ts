import path from 'node:path';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { type RequestHandler, Router } from 'express';
import { mongo } from 'mongoose';
import { z } from 'zod';
import { describeDevice } from '../http/describe-device';
import { BadRequestError, HttpError, NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import { safeNextPath } from '../http/safe-redirect';
import { parseForm, withoutControlCharacters } from '../http/validate';
import { rotateCsrfToken } from '../security/csrf';
import { isAuthenticated } from '../security/is-authenticated';
import { eventContext } from '../security-log/security-log';
import { currentUser } from '../session/current-user';
import { credentialsVersionOf } from '../users/account-tokens';
import { type FactorDeps, factorChanged } from './factors.deps';
import type { PasskeyRecord } from './factors.store';
import {
  authenticationResponseSchema,
  CHALLENGE_MS,
  registrationResponseSchema,
  relyingParty,
  takeChallenge,
} from './webauthn';

/** One answer for every refused passkey sign-in: nothing tells a prober which check failed. */
class PasskeyRefused extends HttpError {
  constructor() {
    super(401, 'Passkey not accepted');
  }
}

const renameSchema = z.object({
  name: z
    .string({ error: 'Give the passkey a name' })
    .trim()
    .min(1, 'Give the passkey a name')
    .max(60, 'At most 60 characters'),
});

const addSchema = z.object({ response: registrationResponseSchema, name: z.string().trim().max(60).optional() });
const signInSchema = z.object({
  response: authenticationResponseSchema,
  remember: z.boolean().optional(),
  next: z.string().max(2048).optional(),
});

function parseJson<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  // Control characters never reach storage (a passkey's name), as in every form (http/validate.ts).
  const result = schema.safeParse(withoutControlCharacters(body));
  if (!result.success) throw new BadRequestError('Malformed passkey response');
  return result.data;
}

function publicKeyBytes(record: PasskeyRecord): Uint8Array<ArrayBuffer> {
  return new Uint8Array(record.publicKey.buffer);
}

/** /account/passkeys: add (sudo, then the ceremony), list, rename, remove. */
export function passkeyAccountRoutes(deps: FactorDeps): Router {
  const { config, factors, now, sudo } = deps;
  const rp = relyingParty(config);
  const router = Router();
  const title = 'Passkeys';

  async function listFor(userId: string) {
    return (await factors.listPasskeys(userId)).map((p) => ({
      id: p.credentialId,
      name: p.name,
      createdAt: p.createdAt,
      lastUsedAt: p.lastUsedAt,
      backedUp: p.backedUp,
      deviceType: p.deviceType,
    }));
  }

  const show: RequestHandler = async (req, res) => {
    const passkeys = await listFor(currentUser(req).id);
    respond(req, res, {
      json: () => ({ passkeys }),
      html: { view: 'account/passkeys', locals: { title, active: 'passkeys', passkeys } },
    });
  };

  /**
   * Sudo-guarded: the challenge handed out here is what lets the ceremony's second half (POST /passkeys)
   * add the key, so with REAUTH_MINUTES=0 one confirmation covers one passkey.
   */
  const registrationOptions: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const existing = await factors.listPasskeys(user.id);
    const options = await generateRegistrationOptions({
      rpName: rp.rpName,
      rpID: rp.rpID,
      userName: user.username,
      // The user handle is the account id (no personal data); a sign-in maps it back to the account.
      userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
      attestationType: 'none',
      timeout: CHALLENGE_MS,
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      // A passkey replaces the password and the code, and grants sudo: the person must be verified (PIN,
      // biometrics), not merely present.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    req.session.webauthnChallenge = { challenge: options.challenge, purpose: 'register', userId: user.id, at: now() };
    res.json(options);
  };

  const add: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const challenge = takeChallenge(req, 'register', now());
    if (!challenge || challenge.userId !== user.id) {
      throw new HttpError(409, 'Passkey setup expired: start again');
    }
    const input = parseJson(addSchema, req.body);
    let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verification = await verifyRegistrationResponse({
        response: input.response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpID,
        requireUserVerification: true,
      });
    } catch (err) {
      req.log.warn({ event: 'passkey_add_refused', userId: user.id, err: (err as Error).message }, 'passkey refused');
      throw new BadRequestError('Passkey not accepted');
    }
    if (!verification.verified) throw new BadRequestError('Passkey not accepted');
    const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
    const count = (await factors.listPasskeys(user.id)).length;
    const name = input.name || `${describeDevice(req.get('user-agent') ?? '')}${count > 0 ? ` (${count + 1})` : ''}`;
    try {
      await factors.addPasskey({
        userId: user.id,
        credentialId: credential.id,
        publicKey: new mongo.Binary(Buffer.from(credential.publicKey)),
        counter: credential.counter,
        transports: credential.transports ?? input.response.response.transports ?? [],
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
        name: name.slice(0, 60),
        createdAt: new Date(now()),
        lastUsedAt: null,
      });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new HttpError(409, 'That passkey is registered already');
      throw err;
    }
    await factorChanged(deps, req, user.id, 'passkey_added', { passkey: name.slice(0, 60) });
    req.log.info({ event: 'passkey_added', userId: user.id }, 'passkey added');
    flash(req, 'success', `Passkey “${name}” added. You can now sign in with it.`);
    res.status(201).json({ message: 'Passkey added', passkey: { id: credential.id, name } });
  };

  const rename: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const passkeys = await listFor(user.id);
    const form = {
      view: 'account/passkeys',
      locals: { title, active: 'passkeys', passkeys, renaming: req.params.credentialId },
    };
    const input = parseForm(renameSchema, req.body, form);
    if (!(await factors.renamePasskey(user.id, String(req.params.credentialId), input.name))) throw new NotFoundError();
    respond(req, res, {
      json: () => ({ message: 'Passkey renamed' }),
      html: () => {
        flash(req, 'success', `Passkey renamed to “${input.name}”.`);
        res.redirect(303, '/account/passkeys');
      },
    });
  };

  const remove: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const removed = await factors.removePasskey(user.id, String(req.params.credentialId));
    if (!removed) throw new NotFoundError();
    await factorChanged(deps, req, user.id, 'passkey_removed', { passkey: removed.name });
    req.log.info({ event: 'passkey_removed', userId: user.id }, 'passkey removed');
    respond(req, res, {
      json: () => ({ message: 'Passkey removed' }),
      html: () => {
        flash(req, 'success', `Passkey “${removed.name}” removed: it no longer signs you in.`);
        res.redirect(303, '/account/passkeys');
      },
    });
  };

  const backToPage: RequestHandler = (_req, res) => res.redirect(303, '/account/passkeys');

  /** issue 25: removing a passkey is asked first (the list's Remove leads here; the POST does it). */
  const confirmRemove: RequestHandler = async (req, res) => {
    const user = currentUser(req);
    const passkey = (await factors.listPasskeys(user.id)).find((p) => p.credentialId === req.params.credentialId);
    if (!passkey) throw new NotFoundError();
    res.render('account/passkey-remove', {
      title: `Remove the passkey “${passkey.name}”?`,
      active: 'passkeys',
      passkey: {
        id: passkey.credentialId,
        name: passkey.name,
        createdAt: passkey.createdAt,
        lastUsedAt: passkey.lastUsedAt,
      },
    });
  };

  router.get('/passkeys', [isAuthenticated], show);
  router.post('/passkeys/options', [isAuthenticated, sudo], registrationOptions);
  // Its sudo check is the challenge, which only the sudo-guarded options route hands out (see above).
  router.post('/passkeys', [isAuthenticated], add);
  router.get('/passkeys/:credentialId/rename', [isAuthenticated], backToPage);
  router.post('/passkeys/:credentialId/rename', [isAuthenticated, sudo], rename);
  router.get('/passkeys/:credentialId/remove', [isAuthenticated], confirmRemove);
  router.post('/passkeys/:credentialId/remove', [isAuthenticated, sudo], remove);
  return router;
}

/** /auth/passkey: sign in with a passkey (button or the browser's autofill). */
export function passkeySignInRoutes(deps: FactorDeps): Router {
  const { config, factors, users, now, signIns, securityLog } = deps;
  const rp = relyingParty(config);
  const router = Router();

  /** A challenge for any of the site's passkeys (discoverable credentials: no username first). */
  const options: RequestHandler = async (req, res) => {
    const opts = await generateAuthenticationOptions({
      rpID: rp.rpID,
      userVerification: 'required',
      timeout: CHALLENGE_MS,
    });
    req.session.webauthnChallenge = { challenge: opts.challenge, purpose: 'sign-in', at: now() };
    // This call may have just started the visitor's session: the login form needs its CSRF token from now on.
    if (!req.session.csrfToken) rotateCsrfToken(req);
    res.json({ options: opts, csrfToken: req.session.csrfToken });
  };

  const signIn: RequestHandler = async (req, res) => {
    const log = req.log;
    const refuse = (reason: string, userId?: string): never => {
      log.warn({ event: 'passkey_refused', reason, userId, ip: req.ip }, 'passkey sign-in refused');
      throw new PasskeyRefused();
    };
    const challenge = takeChallenge(req, 'sign-in', now());
    const input = parseJson(signInSchema, req.body);
    if (!challenge) return refuse('no challenge waiting');
    const record = await factors.findPasskey(input.response.id);
    if (!record) return refuse('unknown credential');
    // The credentials version as this sign-in begins: a password change or closure from here on wins.
    const account = await users.findById(record.userId, { credentialsVersion: 1 }).lean();
    if (!account) return refuse('no such account', record.userId);
    const handle = input.response.response.userHandle;
    if (handle && Buffer.from(handle, 'base64url').toString('utf8') !== record.userId) {
      return refuse('user handle does not match', record.userId);
    }
    let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verification = await verifyAuthenticationResponse({
        response: input.response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpID,
        // Counter 0: the library's own counter check runs before the signature is verified; ours runs after
        // (below), so only a *signed* counter going back counts as a clone.
        credential: {
          id: record.credentialId,
          publicKey: publicKeyBytes(record),
          counter: 0,
          transports: record.transports,
        },
        // Present is not enough: the authenticator must have verified the person (UV flag).
        requireUserVerification: true,
      });
    } catch (err) {
      return refuse((err as Error).message, record.userId);
    }
    const { verified, authenticationInfo } = verification;
    if (!verified) return refuse('signature does not verify', record.userId);
    const { newCounter, credentialBackedUp } = authenticationInfo;
    if ((newCounter > 0 || record.counter > 0) && newCounter <= record.counter) {
      // A genuine signature with a counter that went back: two authenticators hold this key.
      log.error(
        { event: 'passkey_clone_suspected', userId: record.userId, ip: req.ip, newCounter, stored: record.counter },
        'passkey counter went back',
      );
      await securityLog.record(record.userId, 'passkey_clone_suspected', eventContext(req), { passkey: record.name });
      throw new PasskeyRefused();
    }
    if (
      !(await factors.recordPasskeyUse(
        record.credentialId,
        record.counter,
        newCounter,
        credentialBackedUp,
        new Date(now()),
      ))
    ) {
      // Removed meanwhile, or the same assertion used twice at once: only one use wins.
      return refuse('counter already moved on', record.userId);
    }
    // A user-verified passkey proves what the account has (it replaces password and code): sudo too.
    const result = await signIns.complete(req, res, {
      userId: record.userId,
      credentialsVersion: credentialsVersionOf(account),
      method: 'passkey',
      secondFactorProven: true,
      sudo: true,
      remember: input.remember === true,
      next: input.next ?? '',
    });
    if (result.outcome === 'answered') return;
    if (result.outcome === 'superseded') throw new PasskeyRefused();
    const user = result.user;
    flash(req, 'success', `Signed in as ${user.username}.`);
    res.json({ message: 'Logged in', redirect: safeNextPath(input.next) });
  };

  router.post('/passkey/options', [publicRoute], options);
  router.post('/passkey', [publicRoute], signIn);
  return router;
}

/**
 * @simplewebauthn/browser's bundle, served from this origin (the CSP allows scripts from 'self' only; no CDN).
 * Served from node_modules rather than copied, so it is always the installed version.
 */
export function serveWebAuthnBrowser(production: boolean): RequestHandler {
  const bundle = path.join(
    path.dirname(require.resolve('@simplewebauthn/browser')),
    '..',
    'dist',
    'bundle',
    'index.umd.min.js',
  );
  return (_req, res, next) => {
    res.sendFile(bundle, { maxAge: production ? '1d' : 0 }, (err) => (err ? next(err) : undefined));
  };
}
