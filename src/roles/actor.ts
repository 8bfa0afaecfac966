import type { RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../http/errors';
import { isAuthenticated } from '../security/is-authenticated';
import { type Role, roleOf } from '../users/roles';
import type { UserModel } from '../users/user.model';
import { type Action, can } from './permissions';

/** The signed-in user as MongoDB has them now: the role is never taken from the session. */
export interface Actor {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
}

export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Error('loadActor must run before this handler');
  return actor;
}

/** The actor when loadActor ran for this request, else undefined (pages that only read). */
export function maybeActor(res: Response): Actor | undefined {
  return res.locals.actor as Actor | undefined;
}

/**
 * Guards for routes that depend on who the user is. The role is read from MongoDB on each such request (one
 * indexed findById), never copied into the session, so a role change or suspension applies to every live
 * session on every process at once — a demoted editor's open tab cannot publish. Read-only pages (GET /posts)
 * do not use these and cost no user lookup.
 */
export function roleGuards(users: UserModel) {
  async function findActor(id: string): Promise<Actor | undefined> {
    const user = await users.findById(id, { username: 1, role: 1, suspendedAt: 1, deletedAt: 1 }).lean();
    // Suspension and deletion end every session, so this is a request that raced them: it acts as nobody.
    if (!user || user.suspendedAt || user.deletedAt) return undefined;
    return { id: String(user._id), username: user.username, role: roleOf(user) };
  }

  const loadActor: RequestHandler = async (req, res, next) => {
    const sessionUser = req.session.user;
    if (!sessionUser) throw new UnauthenticatedError();
    const actor = await findActor(sessionUser.id);
    if (!actor) throw new ForbiddenError('This account cannot act any more');
    res.locals.actor = actor;
    next();
  };

  /** For pages that read: loads the actor only when `needed` says the answer depends on the role. */
  const loadActorWhen =
    (needed: (res: Response) => boolean): RequestHandler =>
    async (req, res, next) => {
      const sessionUser = req.session.user;
      if (sessionUser && needed(res)) {
        const actor = await findActor(sessionUser.id);
        if (actor) res.locals.actor = actor;
      }
      next();
    };

  /** Signed in (browsers to the login page), the role loaded, and allowed to take `action`. */
  const requireCan = (action: Action): RequestHandler[] => [
    isAuthenticated,
    loadActor,
    (_req, res, next) => {
      if (!can(actorOf(res).role, action))
        throw new ForbiddenError(FORBIDDEN_TEXT[action] ?? 'Your role does not allow this');
      next();
    },
  ];

  return { loadActor, loadActorWhen, requireCan, signedIn: [isAuthenticated, loadActor] as RequestHandler[] };
}

export type RoleGuards = ReturnType<typeof roleGuards>;

const FORBIDDEN_TEXT: Partial<Record<Action, string>> = {
  'post.create': 'Your account can read and comment, but not write posts',
  'staff.area': 'Only editors and administrators can open the staff area',
  'users.view': 'Only administrators can manage users',
  'settings.manage': 'Only administrators can change the site settings',
  'log.view': 'Only administrators can read the admin log',
  'comment.moderate': 'Only editors and administrators can moderate',
};
