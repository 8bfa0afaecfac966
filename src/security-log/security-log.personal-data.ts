import type { Connection } from 'mongoose';
import type { PersonalData } from '../db/personal-data';
import { EVENT_TEXT, prepareSecurityLog, type SecurityLog } from './security-log';

/** The account's security log, kept `keepDays` by a TTL index; exported without device ids. */
export function securityLogPersonalData(connection: Connection, log: SecurityLog, keepDays: number): PersonalData {
  return {
    name: 'securityLog',
    prepare: () => prepareSecurityLog(connection, keepDays),
    forgetUser: (user) => log.forgetUser(user.id),
    async exportUser(user) {
      return (await log.all(user.id)).map((e) => ({
        type: e.type,
        what: EVENT_TEXT[e.type],
        at: e.at,
        ip: e.ip,
        device: e.device,
        count: e.count,
        details: e.details,
      }));
    },
  };
}
