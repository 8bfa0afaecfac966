/** Staff roles, highest first (see README, "Running a blog with others"). */
export const ROLES = ['owner', 'admin', 'editor', 'author', 'contributor', 'reader'] as const;
export type Role = (typeof ROLES)[number];

/** What a new account may get from the site setting `newAccountRole`. */
export const NEW_ACCOUNT_ROLES = ['author', 'contributor', 'reader'] as const satisfies readonly Role[];
export type NewAccountRole = (typeof NEW_ACCOUNT_ROLES)[number];

/**
 * Accounts created before roles existed have no `role` field: they keep what every account could do then
 * (write and publish), so an upgrade takes nothing away from anyone.
 */
export const LEGACY_ROLE: Role = 'author';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** 5 for the owner … 0 for a reader: higher outranks lower. */
export function rank(role: Role): number {
  return ROLES.length - 1 - ROLES.indexOf(role);
}

export function atLeast(role: Role, minimum: Role): boolean {
  return rank(role) >= rank(minimum);
}

export function roleOf(user: { readonly role?: string | null } | null | undefined): Role {
  return isRole(user?.role) ? user.role : LEGACY_ROLE;
}

/** For people: "an editor", "an admin". */
export const ROLE_LABEL: Readonly<Record<Role, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  editor: 'Editor',
  author: 'Author',
  contributor: 'Contributor',
  reader: 'Reader',
};
