import 'express-session';
import type { FlashMessage } from '../http/flash';

/** What a session may hold. Kept small: the session is read on every request of a signed-in visitor. */
export interface SessionUser {
  readonly id: string;
  readonly username: string;
  /** The account's IANA time zone (src/time); absent → UTC. */
  readonly timeZone?: string;
  /**
   * Whether the header offers "Write": the account's role may post. Display only, as of the sign-in; every
   * write route reads the role from MongoDB (src/roles), so a demotion takes effect at once all the same.
   */
  readonly mayWrite?: boolean;
}

/** When and how this sign-in happened; the basis of the idle and absolute timeouts. */
export interface SessionAuth {
  /** Epoch ms of the sign-in: the absolute timeout counts from here, however active the user is. */
  readonly signedInAt: number;
  /** Epoch ms of the last request, recorded at most once per touch interval (so reads rarely write). */
  lastSeenAt: number;
  readonly remember: boolean;
  /** Epoch ms a password was last entered in this session (sign-in, "confirm your password"): sudo mode. */
  reauthAt?: number;
  /** With REAUTH_MINUTES=0: one sensitive action may follow a confirmation, for two minutes. */
  sudoGrant?: { readonly at: number };
}

/** Recorded at sign-in so the account page can show the user their devices. */
export interface SessionDevice {
  /**
   * An opaque handle for this session on the account page and in revoke URLs. Never the session id:
   * that is a bearer secret and must not appear in pages, URLs or logs.
   */
  readonly publicId: string;
  readonly userAgent: string;
  readonly ip: string;
}

/** A right password, waiting for its second step; the visitor is not signed in until it succeeds. */
export interface PendingSecondStep {
  readonly userId: string;
  readonly username: string;
  readonly remember: boolean;
  readonly next: string;
  readonly at: number;
  /** The account's credentials version when the sign-in began: any change since (a bump) voids this step. */
  readonly credentialsVersion: number;
  /** Whether the completed sign-in may start sudo mode (not after "keep my account"; see sign-in.service.ts). */
  readonly sudo: boolean;
}

export interface WebAuthnChallenge {
  readonly challenge: string;
  /** Adding a passkey (for the signed-in user named) or signing in with one. */
  readonly purpose: 'register' | 'sign-in';
  readonly userId?: string;
  readonly at: number;
}

declare module 'express-session' {
  interface SessionData {
    user: SessionUser;
    auth: SessionAuth;
    device: SessionDevice;
    flash: FlashMessage[];
    /** The right password was given for a closed account: "keep my account" may follow (auth.handlers.ts). */
    pendingRestore: { readonly userId: string; readonly at: number; readonly credentialsVersion: number };
    /** The password was right for an account with authenticator codes: the code comes next (src/factors). */
    pendingSecondStep: PendingSecondStep;
    /** A WebAuthn challenge this visitor asked for: single use, short-lived (src/factors/passkeys.routes.ts). */
    webauthnChallenge: WebAuthnChallenge;
    /** The authenticator-code secret being set up, encrypted (DataCipher), until a first code turns it on. */
    totpSetup: { readonly secret: string; readonly at: number };
    /** Who was signed in on the session a timeout just replaced: a form kept from it is theirs only. */
    endedUserId: string;
    /** Post ids saved for later, newest first (the tutorial's cart). Works without an account. */
    readingList: string[];
    // csrfToken is declared by csrf-sync.
  }
}
