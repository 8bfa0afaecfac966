import type { Express } from 'express';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { hashPassword } from '../../src/security/passwords';
import { userModel } from '../../src/users/user.model';
import type { Agent } from './app';
import { PASSWORD } from './http';

/** Registers through the real endpoint (JSON), leaving the agent signed in. */
export async function registerJson(agent: Agent, username: string, password = PASSWORD): Promise<void> {
  const res = await agent.post('/auth/register').send({ username, password });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${res.text}`);
}

export async function loginJson(agent: Agent, username: string, password = PASSWORD): Promise<void> {
  const res = await agent.post('/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
}

/** Creates an account and returns a fresh (signed-out) agent, for tests that log in themselves. */
export async function createUser(app: Express, username: string, password = PASSWORD): Promise<void> {
  await registerJson(request.agent(app), username, password);
}

/**
 * Creates an account straight in MongoDB, as the development seed does: for the tutorial's alice /
 * password123, which registration itself now refuses as too common.
 */
export async function seedUser(connection: Connection, username: string, password: string): Promise<void> {
  await userModel(connection).create({ username, passwordHash: await hashPassword(password, 4) });
}
