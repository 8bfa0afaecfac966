import type { Request, Response } from 'express';
import { respond } from '../http/respond';
import type { TokenProblem } from '../users/account-tokens';

export const LINK_PROBLEM_MESSAGE = 'This link has expired or was already used';

const AGAIN = {
  reset: { href: '/auth/forgot', label: 'Request a new reset link' },
  verify: { href: '/account/email', label: 'Send a new confirmation link' },
  'undo-delete': { href: '/auth/login', label: 'Sign in to keep your account' },
  'not-me': { href: '/auth/forgot', label: 'Reset your password' },
} as const;

/**
 * One clear page for every link that cannot be used: 404 when it never existed, 410 when it was spent,
 * expired or voided. The same words either way, and never a 500.
 */
export function renderLinkProblem(req: Request, res: Response, problem: TokenProblem, kind: keyof typeof AGAIN): void {
  const status = problem === 'unknown' ? 404 : 410;
  respond(req, res, {
    status,
    json: () => ({ error: LINK_PROBLEM_MESSAGE }),
    html: { view: 'auth/reset-expired', locals: { title: 'Link expired', again: AGAIN[kind] } },
  });
}
