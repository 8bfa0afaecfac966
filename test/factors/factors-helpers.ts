import request from 'supertest';
import { expect } from 'vitest';
import { SESSIONS_COLLECTION } from '../../src/session/session-store';
import { userModel } from '../../src/users/user.model';
import { type Agent, type MailApp, register } from '../recovery/mail-app';
import { sessionCookieValue, sessionIdOf } from '../support/http';

export interface LoggedEvent {
  type: string;
  details?: Record<string, unknown>;
}

export async function eventsOf(agent: Agent): Promise<LoggedEvent[]> {
  const res = await agent.get('/account/security').set('Accept', 'application/json');
  expect(res.status).toBe(200);
  return res.body.events as LoggedEvent[];
}

/** Registers, and marks the address verified (the verification flow has its own tests). */
export async function registerWithVerifiedAddress(t: MailApp, username: string): Promise<Agent> {
  const agent = request.agent(t.app);
  const email = `${username}@example.com`;
  await register(agent, username, email);
  await userModel(t.connection).updateOne({ username }, { emailVerified: true });
  return agent;
}

/** The stored session behind a response's Set-Cookie (null when the store has none). */
export async function storedSession(t: MailApp, cookie: string | undefined) {
  if (!cookie) return null;
  const id = sessionIdOf(cookie);
  const doc = await t.connection
    .collection<{ _id: string; session: unknown }>(SESSIONS_COLLECTION)
    .findOne({ _id: id });
  // An ended session keeps a tombstone (endedAt) but no data.
  if (!doc?.session) return null;
  return (typeof doc.session === 'string' ? JSON.parse(doc.session) : doc.session) as Record<string, unknown>;
}

export { sessionCookieValue };
