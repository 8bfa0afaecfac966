import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentModel } from '../../src/posts/comments/comment.model';
import { postModel } from '../../src/posts/post.model';
import { purgeAuthorContent } from '../../src/posts/purge-author';
import { userModel } from '../../src/users/user.model';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { type Agent, startBlogApp } from './blog-app';

let t: TestApp;
let leaving: Agent;
let staying: Agent;

beforeAll(async () => {
  t = await startBlogApp();
  leaving = request.agent(t.app);
  staying = request.agent(t.app);
  await registerJson(leaving, 'leaver');
  await registerJson(staying, 'stayer');
});
afterAll(() => t.close());

describe('purgeAuthorContent (for account deletion)', () => {
  it("removes the author's posts with every comment on them, and their comments elsewhere, counts kept right", async () => {
    const theirs = (await leaving.post('/posts').send({ title: 'Mine', body: 'x' })).body.post.id as string;
    const other = (await staying.post('/posts').send({ title: 'Stays', body: 'x' })).body.post.id as string;
    await staying.post(`/posts/${theirs}/comments`).send({ body: 'on the leaver’s post' }).expect(201);
    await leaving.post(`/posts/${other}/comments`).send({ body: 'by the leaver' }).expect(201);
    await leaving.post(`/posts/${other}/comments`).send({ body: 'by the leaver, again' }).expect(201);
    await staying.post(`/posts/${other}/comments`).send({ body: 'by the stayer' }).expect(201);

    const user = await userModel(t.connection).findOne({ username: 'leaver' }).lean();
    const result = await purgeAuthorContent(t.connection, String(user?._id));
    expect(result).toEqual({ posts: 1, comments: 3 });
    expect(await postModel(t.connection).exists({ _id: theirs })).toBeNull();
    expect(await commentModel(t.connection).countDocuments({ postId: theirs })).toBe(0);
    const remaining = await commentModel(t.connection).find({ postId: other }).lean();
    expect(remaining.map((c) => c.authorName)).toEqual(['stayer']);
    expect((await postModel(t.connection).findById(other).lean())?.commentCount).toBe(1);
  });
});
