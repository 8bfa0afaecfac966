import type { Connection } from 'mongoose';
import request from 'supertest';
import type { Role } from '../../src/users/roles';
import { userModel } from '../../src/users/user.model';
import { PASSWORD } from '../support/http';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

export type Agent = ReturnType<typeof request.agent>;

/** Sets a role straight in MongoDB (test setup; the routes under test change roles through /admin). */
export async function setRole(connection: Connection, username: string, role: Role): Promise<void> {
  await userModel(connection).updateOne({ username }, { $set: { role } });
}

/** A signed-in JSON agent for a new account with `role`. */
export async function staffAgent(t: TestApp, username: string, role: Role): Promise<Agent> {
  const agent = request.agent(t.app);
  await registerJson(agent, username);
  await setRole(t.connection, username, role);
  return agent;
}

/** Sudo for a JSON client: POST /account/confirm with the password. */
export async function confirmPassword(agent: Agent, password = PASSWORD): Promise<void> {
  const res = await agent.post('/account/confirm').send({ password });
  if (res.status !== 200) throw new Error(`confirm: ${res.status} ${res.text}`);
}

export const json = { Accept: 'application/json' } as const;
