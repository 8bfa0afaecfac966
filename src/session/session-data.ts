import 'express-session';

/** What a session may hold. Kept small: the session is read on every request of a signed-in visitor. */
export interface SessionUser {
  readonly id: string;
  readonly username: string;
}

export type FlashKind = 'success' | 'info' | 'error';
export interface FlashMessage {
  readonly kind: FlashKind;
  readonly text: string;
}

/** When and how this sign-in happened; the basis of the idle and absolute timeouts. */
export interface SessionAuth {
  /** Epoch ms of the sign-in: the absolute timeout counts from here, however active the user is. */
  readonly signedInAt: number;
  /** Epoch ms of the last request, recorded at most once per touch interval (so reads rarely write). */
  lastSeenAt: number;
  readonly remember: boolean;
}

declare module 'express-session' {
  interface SessionData {
    user: SessionUser;
    auth: SessionAuth;
    flash: FlashMessage[];
    // csrfToken is declared by csrf-sync.
  }
}
