import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentModel } from '../../src/posts/comments/comment.model';
import { postModel } from '../../src/posts/post.model';
import { DEFAULT_WRITE_LIMITS } from '../../src/security/rate-limit';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { type Agent, startBlogApp } from './blog-app';

/** Issue 11: posting, editing and commenting are limited per user, atomically, in MongoDB. */
let t: TestApp;
let writer: Agent;
let other: Agent;

beforeAll(async () => {
  t = await startBlogApp({
    writeLimits: {
      post: { key: 'post', points: 3, duration: 600 },
      comment: { key: 'comment', points: 2, duration: 60 },
    },
  });
  writer = request.agent(t.app);
  other = request.agent(t.app);
  await registerJson(writer, 'prolix');
  await registerJson(other, 'quieter');
});
afterAll(() => t.close());

describe('per-user write limits', () => {
  it('the defaults allow human writing and stop a loop', () => {
    expect(DEFAULT_WRITE_LIMITS.post.points / (DEFAULT_WRITE_LIMITS.post.duration / 60)).toBeLessThanOrEqual(5);
    expect(DEFAULT_WRITE_LIMITS.comment.points).toBeGreaterThanOrEqual(5);
  });

  it('10 posts sent at once with a limit of 3: exactly 3 created, 7 × 429 with Retry-After', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => writer.post('/posts').send({ title: `Burst ${i}`, body: 'x' })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    for (const r of results.filter((x) => x.status === 429)) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number.isInteger(Number(r.headers['retry-after']))).toBe(true);
    }
    expect(await postModel(t.connection).countDocuments({ authorName: 'prolix' })).toBe(3);
  });

  it('a browser past the limit gets its form back, with what it typed, and a 429', async () => {
    const form = await writer.get('/posts/new');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const res = await writer
      .post('/posts')
      .type('form')
      .send({ title: 'Typed with care', body: 'Every word kept', tags: 'kept', _csrf: token });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toContain('value="Typed with care"');
    expect(res.text).toContain('>Every word kept</textarea>');
    expect(res.text).toContain('Too many attempts');
  });

  it('edits count against the same limit; another user is not affected', async () => {
    const post = await postModel(t.connection).findOne({ authorName: 'prolix' }).lean();
    const edit = await writer.post(`/posts/${String(post?._id)}`).send({ title: 'Edited', body: 'x' });
    expect(edit.status).toBe(429);
    expect((await postModel(t.connection).findById(post?._id).lean())?.title).not.toBe('Edited');
    expect((await other.post('/posts').send({ title: 'Mine', body: 'x' })).status).toBe(201);
  });

  it('comments: 5 at once with a limit of 2 → 2 posted, 3 × 429', async () => {
    const post = await postModel(t.connection).findOne({ authorName: 'quieter' }).lean();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => other.post(`/posts/${String(post?._id)}/comments`).send({ body: `c${i}` })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 429, 429, 429]);
    expect(await commentModel(t.connection).countDocuments({ postId: post?._id })).toBe(2);
  });
});
