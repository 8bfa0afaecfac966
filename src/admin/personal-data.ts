import type { Connection } from 'mongoose';
import { AdminLog } from '../admin-log/admin-log';
import type { PersonalData } from '../db/personal-data';
import { Invitations } from '../invites/invitations';
import { Reports } from '../moderation/reports';
import { prepareStaff } from './prepare-staff';

/** Reports the user filed (reason, what, when). Reports about their content go with that content. */
export function reportsPersonalData(connection: Connection, now: () => number): PersonalData {
  const reports = new Reports(connection, now);
  return {
    name: 'reports',
    prepare: () => prepareStaff(connection),
    forgetUser: (user) => reports.forgetUser(user.id),
    exportUser: (user) => reports.aboutUser(user.id),
  };
}

/** Invitations the user sent and the one they joined by; never a token or its hash. */
export function invitationsPersonalData(connection: Connection, now: () => number): PersonalData {
  const invitations = new Invitations(connection, now);
  return {
    name: 'invitations',
    prepare: () => prepareStaff(connection),
    forgetUser: (user) => invitations.forgetUser(user.id, user.email),
    exportUser: (user) => invitations.aboutUser(user.id),
  };
}

/** Staff actions the user took or that were taken on their account. */
export function adminLogPersonalData(connection: Connection, now: () => number): PersonalData {
  const log = new AdminLog(connection, now);
  return {
    name: 'adminLog',
    prepare: () => prepareStaff(connection),
    forgetUser: (user) => log.forgetUser(user.id),
    exportUser: (user) => log.aboutUser(user.id),
  };
}

/** All three, for the registry. */
export function staffPersonalData(connection: Connection, now: () => number): PersonalData[] {
  return [
    reportsPersonalData(connection, now),
    invitationsPersonalData(connection, now),
    adminLogPersonalData(connection, now),
  ];
}
