import type { Application } from 'express';

/**
 * Renders a view into a string from the locals given and the app's (app.locals: helpers, site defaults)
 * only — never from res.locals, which hold the visitor's own (the signed-in user, the CSRF token, the
 * reading-list count, flash messages). What it returns can therefore be kept and shown to every visitor: a
 * page composes it with its per-visitor parts (`<%- listHtml %>` between the header and the footer), so a
 * signed-in view renders only those (posts/index.ejs). Whatever varies the fragment (the page, the reader's
 * time zone…) must be in the locals and in the key it is kept under.
 */
export function renderSharedFragment(app: Application, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    app.render(view, locals, (err: Error | null, html?: string) => {
      if (err) reject(err);
      else resolve(html ?? '');
    });
  });
}
