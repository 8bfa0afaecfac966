import type { Connection } from 'mongoose';
import type request from 'supertest';
import { expect } from 'vitest';
import type { WriteLimits } from '../../src/security/rate-limit';
import { type Agent, startApp, type TestApp, TestClock } from '../support/app';
import { csrfTokenFrom } from '../support/http';

/** The blog tests' names for the harness (test/support/app.ts), and their post helpers. */
export { type Agent, TestClock };

/** startApp with the blog's own knobs: a clock, write limits, environment. */
export function startBlogApp(
  options: { clock?: TestClock; env?: Record<string, string>; writeLimits?: WriteLimits; connection?: Connection } = {},
): Promise<TestApp> {
  return startApp(options);
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
