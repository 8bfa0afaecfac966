import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, can, canActOn, canGrant, canInvite, USER_ACTIONS } from '../../src/roles/permissions';
import { ROLES, type Role } from '../../src/users/roles';

/**
 * The authorization table, as the contract ("Staff, roles and moderation") states it, written out by hand
 * rather than derived from the code: every role × every action, and every actor × target × role for
 * actions on accounts.
 */
const EVERYONE: Role[] = ['owner', 'admin', 'editor', 'author', 'contributor', 'reader'];
const EXPECTED: Record<Action, Role[]> = {
  'post.create': ['owner', 'admin', 'editor', 'author', 'contributor'],
  'post.publish': ['owner', 'admin', 'editor', 'author'],
  'post.edit-any': ['owner', 'admin', 'editor'],
  'comment.create': EVERYONE,
  'report.create': EVERYONE,
  'comment.moderate': ['owner', 'admin', 'editor'],
  'staff.area': ['owner', 'admin', 'editor'],
  invite: ['owner', 'admin', 'editor'],
  'users.view': ['owner', 'admin'],
  'settings.manage': ['owner', 'admin'],
  'log.view': ['owner', 'admin'],
};

/** Whom each role may act on (role change, suspend, sign out): strictly below, and the owner by nobody. */
const ACTS_ON: Record<Role, Role[]> = {
  owner: ['admin', 'editor', 'author', 'contributor', 'reader'],
  admin: ['editor', 'author', 'contributor', 'reader'],
  editor: [],
  author: [],
  contributor: [],
  reader: [],
};

/** Roles each may hand out: never owner, never above their own, admin only from the owner. */
const GRANTS: Record<Role, Role[]> = {
  owner: ['admin', 'editor', 'author', 'contributor', 'reader'],
  admin: ['editor', 'author', 'contributor', 'reader'],
  editor: [],
  author: [],
  contributor: [],
  reader: [],
};

/** Invitations: editors up to author, admins (and the owner) up to admin. */
const INVITES: Record<Role, Role[]> = {
  owner: ['admin', 'editor', 'author', 'contributor', 'reader'],
  admin: ['admin', 'editor', 'author', 'contributor', 'reader'],
  editor: ['author', 'contributor', 'reader'],
  author: [],
  contributor: [],
  reader: [],
};

describe('the authorization matrix', () => {
  it('lists every action the table has', () => {
    expect([...ACTIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const action of ACTIONS) {
    for (const role of ROLES) {
      const allowed = EXPECTED[action].includes(role);
      it(`${role} ${allowed ? 'may' : 'may not'} ${action}`, () => {
        expect(can(role, action)).toBe(allowed);
      });
    }
  }

  for (const action of USER_ACTIONS) {
    for (const actor of ROLES) {
      for (const target of ROLES) {
        const allowed = ACTS_ON[actor].includes(target);
        it(`${actor} ${allowed ? 'may' : 'may not'} ${action} a(n) ${target}`, () => {
          expect(canActOn({ id: 'a', role: actor }, action, { id: 't', role: target })).toBe(allowed);
        });
      }
      it(`${actor} may not ${action} themselves`, () => {
        expect(canActOn({ id: 'same', role: actor }, action, { id: 'same', role: actor })).toBe(false);
      });
    }
  }

  for (const actor of ROLES) {
    for (const target of ROLES) {
      for (const role of ROLES) {
        const allowed = ACTS_ON[actor].includes(target) && GRANTS[actor].includes(role);
        it(`${actor} ${allowed ? 'may' : 'may not'} make a(n) ${target} ${role}`, () => {
          expect(canGrant({ id: 'a', role: actor }, { id: 't', role: target }, role)).toBe(allowed);
        });
      }
    }
  }

  it('nobody acts on the owner, and nobody makes an owner', () => {
    for (const actor of ROLES) {
      for (const action of USER_ACTIONS) {
        expect(canActOn({ id: 'a', role: actor }, action, { id: 'o', role: 'owner' })).toBe(false);
      }
      for (const target of ROLES) {
        expect(canGrant({ id: 'a', role: actor }, { id: 't', role: target }, 'owner')).toBe(false);
      }
    }
  });

  for (const actor of ROLES) {
    for (const role of ROLES) {
      const allowed = INVITES[actor].includes(role);
      it(`${actor} ${allowed ? 'may' : 'may not'} invite a(n) ${role}`, () => {
        expect(canInvite(actor, role)).toBe(allowed);
      });
    }
  }
});
