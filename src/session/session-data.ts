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

declare module 'express-session' {
  interface SessionData {
    user: SessionUser;
    flash: FlashMessage[];
  }
}
