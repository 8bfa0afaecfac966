import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { userModel } from '../../src/users/user.model';
import { listedTitles } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'prolific');
  await createUser(t.app, 'quiet');
  const author = await userModel(t.connection).findOne({ username: 'prolific' });
  const base = Date.now() - 1_000_000;
  for (let i = 1; i <= 12; i++) {
    await postModel(t.connection).create({
      title: `Essay ${i}`,
      body: `Essay number ${i}`,
      authorId: author?._id,
      authorName: 'prolific',
      createdAt: new Date(base + i * 1000),
    });
  }
  await postModel(t.connection).create({
    title: 'Someone else',
    body: 'x',
    authorId: '000000000000000000000009',
    authorName: 'other',
  });
});
afterAll(() => t.close());

describe('/users/:username', () => {
  it("lists that author's posts, newest first, paginated, linked from every byline", async () => {
    const page1 = await request(t.app).get('/users/prolific');
    expect(page1.status).toBe(200);
    expect(page1.text).toContain('<h1 class="page-title">Posts by prolific</h1>');
    expect(listedTitles(page1.text)).toEqual(Array.from({ length: 10 }, (_, i) => `Essay ${12 - i}`));
    expect(page1.text).toContain('href="/users/prolific?page=2"');
    expect(listedTitles((await request(t.app).get('/users/prolific?page=2')).text)).toEqual(['Essay 2', 'Essay 1']);

    const front = await request(t.app).get('/posts');
    expect(front.text).toContain('by <a href="/users/prolific">prolific</a>');
    const post = await request(t.app).get(
      `/posts/${String((await postModel(t.connection).findOne({ title: 'Essay 3' }))?._id)}`,
    );
    expect(post.text).toContain('href="/users/prolific"');
  });

  it('an author with no posts has an empty state; an unknown one is a 404', async () => {
    const quiet = await request(t.app).get('/users/quiet');
    expect(quiet.status).toBe(200);
    expect(quiet.text).toContain('quiet has not published anything yet.');
    expect((await request(t.app).get('/users/nobody-here')).status).toBe(404);
    expect((await request(t.app).get('/users/%24where')).status).toBe(404);
  });
});
