import type { Request, Response } from 'express';
import { wantsJson } from './negotiate';

/** A browser's answer: a page to render, or anything else (a flash and a redirect…) as a function. */
export type HtmlAnswer = { readonly view: string; readonly locals?: Record<string, unknown> } | (() => void);

export interface Answer {
  /** For both kinds of client (a 422, a 201…); a redirect in `html` sets its own. */
  readonly status?: number;
  /** What a JSON client gets: the body, computed only for such a client. */
  readonly json: () => unknown;
  readonly html: HtmlAnswer;
}

/**
 * One answer, two forms, chosen by Accept (HTML or JSON by Accept is the house rule): handlers declare both
 * instead of branching on `wantsJson` and returning early.
 */
export function respond(req: Request, res: Response, answer: Answer): void {
  if (answer.status !== undefined) res.status(answer.status);
  if (wantsJson(req)) {
    res.json(answer.json());
    return;
  }
  if (typeof answer.html === 'function') answer.html();
  else res.render(answer.html.view, answer.html.locals);
}
