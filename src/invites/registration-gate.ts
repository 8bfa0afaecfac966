import type { Request, RequestHandler } from 'express';
import { ForbiddenError, HttpError, NotFoundError } from '../http/errors';
import type { SiteSettings } from '../site-settings/site-settings';
import type { Role } from '../users/roles';
import type { Invitation, Invitations } from './invitations';

export const REGISTRATION_CLOSED = 'Registration is closed on this blog: new accounts cannot be created.';
export const INVITE_ONLY = 'This blog takes new accounts by invitation only. Ask its editors for an invitation.';
const INVITATION_SPENT = 'This invitation has been used or has expired. Ask for a new one.';

/** What a registration may create: the role, and the invitation it spends (if any). */
export interface Admission {
  readonly role: Role;
  /** Takes the invitation atomically (single use); throws 410 if another registration took it first. */
  claim(): Promise<void>;
  /** The account exists: the invitation is spent for good. */
  used(userId: string): Promise<void>;
  /** The account could not be created (e.g. username taken): the invitation works again. */
  release(): Promise<void>;
}

const noInvitation = (role: Role): Admission => ({
  role,
  claim: async () => {},
  used: async () => {},
  release: async () => {},
});

/**
 * Who may register, by the site setting `registration` (read from MongoDB, so a change applies on every
 * process at once): `open` → anyone, with `newAccountRole`; `invite` → only through a valid invitation
 * (`/auth/invite/:token`), with its role; `closed` → nobody, not even with an invitation.
 */
export function registrationGate(deps: { settings: SiteSettings; invitations: Invitations }) {
  async function admit(req: Request): Promise<Admission> {
    const settings = await deps.settings.fresh();
    if (settings.registration === 'closed') throw new ForbiddenError(REGISTRATION_CLOSED);
    const token = typeof req.params.token === 'string' ? req.params.token : undefined;
    if (token === undefined) {
      if (settings.registration === 'invite') throw new ForbiddenError(INVITE_ONLY);
      return noInvitation(settings.newAccountRole);
    }
    const checked = await deps.invitations.check(token);
    if (!checked.ok) {
      if (checked.problem === 'unknown') throw new NotFoundError('No such invitation');
      throw new HttpError(410, INVITATION_SPENT);
    }
    let claimed: Invitation | null = null;
    return {
      role: checked.invitation.role,
      claim: async () => {
        claimed = await deps.invitations.claim(token);
        if (!claimed) throw new HttpError(410, INVITATION_SPENT);
      },
      used: async (userId) => {
        if (claimed) await deps.invitations.markUsed(claimed._id, userId);
      },
      release: async () => {
        if (claimed) await deps.invitations.release(claimed._id);
      },
    };
  }

  /** GET /auth/register and /auth/invite/:token: the form, or the page saying why there is none. */
  const showForm: RequestHandler = async (req, res) => {
    const admission = await admit(req);
    const token = typeof req.params.token === 'string' ? req.params.token : undefined;
    const invitation = token ? await deps.invitations.check(token) : undefined;
    const email = invitation?.ok ? invitation.invitation.email : undefined;
    res.render('auth/register', {
      title: token ? 'Accept your invitation' : 'Create an account',
      action: token ? `/auth/invite/${token}` : '/auth/register',
      invitedAs: token ? admission.role : undefined,
      values: { ...(email ? { email } : {}), ...res.locals.values },
    });
  };

  return { admit, showForm };
}

export type RegistrationGate = ReturnType<typeof registrationGate>;
