import type { Request, RequestHandler } from 'express';

/** A message shown once, on the next page; stored in the session (session-data.ts). */
export type FlashKind = 'success' | 'info' | 'error';
export interface FlashMessage {
  readonly kind: FlashKind;
  readonly text: string;
}

/** A way on from a confirmation: a link ("View list") and/or a one-button form ("Undo", a POST with the token). */
export interface FlashActions {
  readonly link?: { readonly href: string; readonly text: string };
  readonly undo?: { readonly action: string; readonly text: string; readonly returnTo: string };
}

/** What the flash area of head.ejs renders. */
export type ShownFlash = FlashMessage & { readonly actions?: FlashActions };

/** Queues a one-time message for the next page this visitor sees (post/redirect/get). */
export function flash(req: Request, kind: FlashKind, text: string, actions?: FlashActions): void {
  const message: ShownFlash = actions ? { kind, text, actions } : { kind, text };
  req.session.flash = [...(req.session.flash ?? []), message];
}

/**
 * Gives views `takeFlash()`, which removes the messages from the session only when a page actually shows
 * them, so a redirect or a JSON response in between does not lose them. A visitor with no messages is
 * untouched: reading nothing writes nothing.
 */
export const exposeFlash: RequestHandler = (req, res, next) => {
  res.locals.takeFlash = (): ShownFlash[] => {
    const messages = req.session?.flash;
    if (!messages) return [];
    delete req.session.flash;
    return messages;
  };
  next();
};
