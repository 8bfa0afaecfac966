import type { Request, RequestHandler } from 'express';
import type { FlashKind, FlashMessage } from '../session/session-data';

/** Queues a one-time message for the next page this visitor sees (post/redirect/get). */
export function flash(req: Request, kind: FlashKind, text: string): void {
  req.session.flash = [...(req.session.flash ?? []), { kind, text }];
}

/**
 * Gives views `takeFlash()`, which removes the messages from the session only when a page actually shows
 * them, so a redirect or a JSON response in between does not lose them. A visitor with no messages is
 * untouched: reading nothing writes nothing.
 */
export const exposeFlash: RequestHandler = (req, res, next) => {
  res.locals.takeFlash = (): FlashMessage[] => {
    const messages = req.session?.flash;
    if (!messages) return [];
    delete req.session.flash;
    return messages;
  };
  next();
};
