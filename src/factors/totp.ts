import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/** RFC 6238 defaults, the ones every authenticator app understands. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** One step either side: a phone clock up to ~30 s off still works; two steps off does not. */
const WINDOW = 1;

function totpFor(secret: string, label = 'Folio'): TOTP {
  return new TOTP({
    issuer: 'Folio',
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** A new secret: 160 random bits (RFC 4226's recommendation), base32 for manual entry. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The time-step `now` falls in. */
export function stepAt(now: number): number {
  return Math.floor(now / 1000 / PERIOD_SECONDS);
}

/**
 * The time-step a code belongs to when it is right at `now` (±1 step), else null. Whether that step was
 * already used is the store's question (FactorStore.claimStep), answered atomically.
 */
export function matchTotp(secret: string, code: string, now: number): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secret).validate({ token, timestamp: now, window: WINDOW });
  return delta === null ? null : stepAt(now) + delta;
}

/** The code an authenticator app would show at `now` (tests, and nothing else, need it). */
export function totpCode(secret: string, now: number): string {
  return totpFor(secret).generate({ timestamp: now });
}

/** otpauth:// URI for the QR code: "Folio (alice)". */
export function otpauthUri(secret: string, username: string): string {
  return totpFor(secret, username).toString();
}

/** The QR code as an SVG data URL, rendered on the server (CSP img-src allows data:; no script involved). */
export async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** A secret in groups of four, easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}
