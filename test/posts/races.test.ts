import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentModel } from '../../src/posts/comments/comment.model';
import { postModel } from '../../src/posts/post.model';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { type Agent, startBlogApp } from './blog-app';

/**
 * Issue 11: writes to one post that race each other. Each round sends its requests together (Promise.all);
 * whatever the order MongoDB sees them in, no 5xx, and the post ends either deleted (with its comments) or
 * whole: never a mix.
 */
let t: TestApp;
let author: Agent;
let reader: Agent;
const ROUNDS = 20;

beforeAll(async () => {
  t = await startBlogApp({
    writeLimits: {
      post: { key: 'post', points: 1_000, duration: 60 },
      comment: { key: 'comment', points: 1_000, duration: 60 },
    },
  });
  author = request.agent(t.app);
  reader = request.agent(t.app);
  await registerJson(author, 'racer');
  await registerJson(reader, 'chatter');
});
afterAll(() => t.close());

async function newPost(n: number): Promise<string> {
  const res = await author.post('/posts').send({ title: `Race ${n}`, body: 'old body', tags: 'old' });
  expect(res.status).toBe(201);
  return res.body.post.id as string;
}

describe('writes that race', () => {
  it(`an edit and a delete of one post sent together, ${ROUNDS} times: no 5xx, deleted or updated, never half`, async () => {
    const outcomes = { deleted: 0, updated: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const id = await newPost(round);
      const [edit, del] = await Promise.all([
        author.post(`/posts/${id}`).send({ title: `Edited ${round}`, body: 'new **body**', tags: 'new' }),
        author.post(`/posts/${id}/delete`).send({}),
      ]);
      expect(edit.status, edit.text).toBeLessThan(500);
      expect(del.status, del.text).toBeLessThan(500);
      expect([200, 404, 409]).toContain(edit.status);
      expect(del.status).toBe(200);
      const after = await postModel(t.connection).findById(id).lean();
      if (after === null) {
        outcomes.deleted += 1;
      } else {
        outcomes.updated += 1;
        expect(after).toMatchObject({ title: `Edited ${round}`, body: 'new **body**', tags: ['new'] });
        expect(after.bodyHtml).toContain('<strong>body</strong>');
      }
    }
    // The delete always answers 200, so the post must be gone every time: an edit never brings it back.
    expect(outcomes).toEqual({ deleted: ROUNDS, updated: 0 });
  });

  it('two deletes together: one 200, the other 404', async () => {
    const id = await newPost(100);
    const results = await Promise.all([
      author.post(`/posts/${id}/delete`).send({}),
      author.post(`/posts/${id}/delete`).send({}),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
  });

  it(`a comment racing the delete of its post, ${ROUNDS} times: no 5xx, and no comment outlives its post`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = await newPost(200 + round);
      const [comment, del] = await Promise.all([
        reader.post(`/posts/${id}/comments`).send({ body: `comment ${round}` }),
        author.post(`/posts/${id}/delete`).send({}),
      ]);
      expect([201, 404, 409]).toContain(comment.status);
      expect(del.status).toBe(200);
    }
    // A comment that lost the race removes itself before it answers 404: nothing may be left.
    const posts = await postModel(t.connection).find({}, { _id: 1 }).lean();
    const orphans = await commentModel(t.connection).countDocuments({ postId: { $nin: posts.map((p) => p._id) } });
    expect(orphans).toBe(0);
  });
});
