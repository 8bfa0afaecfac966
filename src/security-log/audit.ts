import type { Request } from 'express';
import { eventContext, type SecurityEvent, type SecurityEventType, type SecurityLog } from './security-log';

export interface AuditEntry {
  readonly userId: string;
  /** What the account's owner sees in their security log. */
  readonly type: SecurityEventType;
  readonly details?: SecurityEvent['details'];
  /** The operators' line in the process log: its `event` (the type unless given), fields and message. */
  readonly line: {
    readonly event?: string;
    readonly fields: Readonly<Record<string, unknown>>;
    readonly message: string;
  };
}

/**
 * One event, written in both places it belongs at once: the account's security log (its owner's view) and the
 * request's log line (the operators' view), so a handler cannot write one and forget the other. A failed
 * security-log write is logged by the log itself and never fails the action (security-log.ts).
 */
export async function audit(req: Request, securityLog: SecurityLog, entry: AuditEntry): Promise<void> {
  await securityLog.record(entry.userId, entry.type, eventContext(req), entry.details);
  req.log.info({ event: entry.line.event ?? entry.type, ...entry.line.fields, ip: req.ip }, entry.line.message);
}
