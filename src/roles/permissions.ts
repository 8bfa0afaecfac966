import { atLeast, ROLES, type Role, rank } from '../users/roles';

/**
 * The one authorization table: who may do what, and to whom. Every route guard and every page that shows or
 * hides a staff control asks here (test/roles/permissions.test.ts checks the full matrix), so a rule changes
 * in one place.
 */

/** Actions that depend only on the actor's role: the lowest role that may take each. */
export const MINIMUM_ROLE = {
  /** Write posts (a contributor's stay drafts: `post.publish`). */
  'post.create': 'contributor',
  /** Publish one's own posts. */
  'post.publish': 'author',
  /** Edit, publish, unpublish and delete anybody's post. */
  'post.edit-any': 'editor',
  'comment.create': 'reader',
  'report.create': 'reader',
  /** The report queue, dismissing, hiding/restoring comments, approving held first comments. */
  'comment.moderate': 'editor',
  'staff.area': 'editor',
  invite: 'editor',
  'users.view': 'admin',
  'settings.manage': 'admin',
  'log.view': 'admin',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof MINIMUM_ROLE;
export const ACTIONS = Object.keys(MINIMUM_ROLE) as Action[];

export function can(actor: Role, action: Action): boolean {
  return atLeast(actor, MINIMUM_ROLE[action]);
}

/** Actions on another account. */
export const USER_ACTIONS = ['user.set-role', 'user.suspend', 'user.sign-out'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

export interface Party {
  readonly id: string;
  readonly role: Role;
}

/**
 * Acting on an account needs `users.view` (admin and up) and a target strictly below the actor: nobody acts
 * on the owner (nobody outranks them), on themselves, or on a peer (one admin cannot suspend another; the
 * owner can).
 */
export function canActOn(actor: Party, action: UserAction, target: Party): boolean {
  void action; // Every user action follows the same rule today; the parameter keeps call sites explicit.
  if (!can(actor.role, 'users.view')) return false;
  if (actor.id === target.id) return false;
  return rank(target.role) < rank(actor.role);
}

/**
 * Whether `actor` may give `target` the role `role`: acting on them at all, never above the actor's own role,
 * never `owner` (exactly one, from the first registration), and `admin` only from the owner.
 */
export function canGrant(actor: Party, target: Party, role: Role): boolean {
  if (!canActOn(actor, 'user.set-role', target)) return false;
  return grantable(actor.role).includes(role);
}

/** Roles the actor may hand out (role changes and invitations alike). */
export function grantable(actor: Role): Role[] {
  return ROLES.filter((role) => {
    if (role === 'owner') return false;
    if (role === 'admin') return actor === 'owner';
    return rank(role) < rank(actor) || actor === 'owner';
  });
}

/** Invitations: editors invite up to author, admins (and the owner) up to admin. */
export function canInvite(actor: Role, role: Role): boolean {
  if (!can(actor, 'invite')) return false;
  if (role === 'owner') return false;
  if (role === 'admin' || role === 'editor') return atLeast(actor, 'admin');
  return true;
}

export function invitableRoles(actor: Role): Role[] {
  return ROLES.filter((role) => canInvite(actor, role));
}
