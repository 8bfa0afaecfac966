import type { Request } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import type { WebAuthnChallenge } from '../session/session-data';

/** How long a challenge may be answered: enough for a person to find their key, short enough to be useless later. */
export const CHALLENGE_MS = 5 * 60_000;

/** The relying party is the site's public origin (PUBLIC_URL), never the request's Host header. */
export function relyingParty(config: Config): { rpID: string; origin: string; rpName: string } {
  const url = new URL(config.publicUrl);
  return { rpID: url.hostname, origin: url.origin, rpName: 'Folio' };
}

/**
 * Takes this visitor's challenge out of their session: whatever happens next, it cannot be answered twice.
 * Null when there is none, it was for something else, or it is too old.
 */
export function takeChallenge(
  req: Request,
  purpose: WebAuthnChallenge['purpose'],
  now: number,
): WebAuthnChallenge | null {
  const challenge = req.session.webauthnChallenge;
  if (challenge) req.session.webauthnChallenge = undefined;
  if (!challenge || challenge.purpose !== purpose || now - challenge.at > CHALLENGE_MS) return null;
  return challenge;
}

const base64url = z
  .string()
  .min(1)
  .max(8192)
  .regex(/^[A-Za-z0-9_-]+$/);
const transports = z.array(z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'])).max(8);
const extensionResults = z.record(z.string(), z.unknown());

/** What @simplewebauthn/browser's startRegistration() returns, checked before the library sees it. */
export const registrationResponseSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: extensionResults,
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    transports: transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url.optional(),
  }),
});

/** What startAuthentication() returns. */
export const authenticationResponseSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: extensionResults,
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
});
