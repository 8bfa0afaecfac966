import { type RequestHandler, Router } from 'express';
import { type Connection, isValidObjectId, Types } from 'mongoose';
import { NotFoundError } from '../http/errors';
import { respond } from '../http/respond';
import { publicRoute } from '../http/route-access';
import type { Mailer } from '../mail/mailer';
import { latestOutboxMail, OUTBOX_COLLECTION, type OutboxMail } from '../mail/outbox';

/** A mail's text cut into plain runs and http(s) links, so the page can make the links clickable safely. */
export function linkify(text: string): { text: string; href?: string }[] {
  const parts: { text: string; href?: string }[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"')]+/g)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: match[0], href: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/**
 * Development only (app.ts mounts this only outside production): the outbox where mail goes without
 * SMTP_URL, newest first, so the whole recovery flow works after `npm start` with no mail server.
 */
export function devRoutes({ connection, mailer }: { connection: Connection; mailer: Mailer }): Router {
  const router = Router();

  const list: RequestHandler = async (req, res) => {
    const mails = await latestOutboxMail(connection);
    respond(req, res, {
      json: () => ({
        mails: mails.map((m) => ({
          id: String(m._id),
          from: m.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          createdAt: m.createdAt,
        })),
      }),
      html: {
        view: 'dev/mail',
        locals: {
          title: 'Development outbox',
          transport: mailer.transportKind,
          // Trailing spaces (the "-- " signature line) mean nothing on a page.
          mails: mails.map((m) => ({ id: String(m._id), ...m, parts: linkify(m.text.replace(/[ \t]+$/gm, '')) })),
        },
      },
    });
  };

  /**
   * The HTML part as a mail client would show it. Mail HTML needs inline styles, which the site's CSP
   * forbids; this one response gets a policy of its own: styles only, no script, sandboxed.
   */
  const html: RequestHandler = async (req, res) => {
    const id = String(req.params.id);
    if (!isValidObjectId(id)) throw new NotFoundError('No such mail');
    const mail = await connection
      .collection<OutboxMail>(OUTBOX_COLLECTION)
      .findOne({ _id: new Types.ObjectId(id) }, { projection: { html: 1 } });
    if (!mail) throw new NotFoundError('No such mail');
    res.set(
      'Content-Security-Policy',
      "sandbox allow-top-navigation-by-user-activation; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    );
    res.type('html').send(mail.html);
  };

  router.get('/mail', [publicRoute], list);
  router.get('/mail/:id/html', [publicRoute], html);
  return router;
}
