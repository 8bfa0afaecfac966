import type { Connection } from 'mongoose';
import type request from 'supertest';
import { expect } from 'vitest';
import type { WriteLimits } from '../../src/security/rate-limit';
import { csrfTokenFrom } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

export type Agent = ReturnType<typeof request.agent>;

/** A clock the test moves, for scheduled posts. */
export class TestClock {
  constructor(public ms = Date.now()) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Like startTestApp, with the blog's own knobs: a clock, write limits, environment. */
export async function startBlogApp(
  options: { clock?: TestClock; env?: Record<string, string>; writeLimits?: WriteLimits; connection?: Connection } = {},
): Promise<TestApp> {
  return startTestApp({
    env: options.env,
    connection: options.connection,
    now: options.clock?.now,
    writeLimits: options.writeLimits,
  });
}

/** Posts through the browser form (CSRF token from /posts/new); returns the response. */
export async function submitPost(agent: Agent, fields: Record<string, string>): Promise<request.Response> {
  const token = csrfTokenFrom((await agent.get('/posts/new')).text);
  return agent
    .post('/posts')
    .type('form')
    .send({ status: 'published', ...fields, _csrf: token });
}

/** Creates a post through the form and returns its id. */
export async function createPost(agent: Agent, fields: Record<string, string>): Promise<string> {
  const res = await submitPost(agent, fields);
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  return (res.headers.location as string).split('/').pop() as string;
}
