import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { HELD_AS_DRAFT } from '../../src/posts/post-status';
import { userModel } from '../../src/users/user.model';
import { PASSWORD } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { type Agent, json, setRole, staffAgent } from './staff-support';

describe('the first account is the owner', () => {
  it('of two registrations racing on an empty database, exactly one becomes the owner', async () => {
    const t = await startTestApp();
    try {
      const names = Array.from({ length: 8 }, (_, i) => `racer${i}`);
      const results = await Promise.all(
        names.map((username) => request(t.app).post('/auth/register').send({ username, password: PASSWORD })),
      );
      expect(results.map((r) => r.status)).toEqual(names.map(() => 201));
      const roles = await userModel(t.connection).find({}, { role: 1 }).lean();
      expect(roles.filter((u) => u.role === 'owner')).toHaveLength(1);
      expect(roles.filter((u) => u.role === 'author')).toHaveLength(names.length - 1);
    } finally {
      await t.close();
    }
  });
});

describe('roles on accounts and posts', () => {
  let t: TestApp;
  let owner: Agent;
  beforeAll(async () => {
    t = await startTestApp();
    owner = request.agent(t.app);
    await registerJson(owner, 'founder');
  });
  afterAll(() => t.close());

  it('GET /auth/profile says the role: the first account is the owner, the next an author', async () => {
    expect((await owner.get('/auth/profile')).body).toEqual({ user: { username: 'founder', role: 'owner' } });
    const next = request.agent(t.app);
    await registerJson(next, 'second');
    expect((await next.get('/auth/profile')).body).toEqual({ user: { username: 'second', role: 'author' } });
  });

  it('a reader cannot post (403) and nothing is stored', async () => {
    const reader = await staffAgent(t, 'reader1', 'reader');
    const res = await reader.post('/posts').set(json).send({ title: 'Nope', body: 'No' });
    expect(res.status).toBe(403);
    expect(await postModel(t.connection).exists({ title: 'Nope' })).toBeNull();
    // A reader still comments.
    const post = await owner.post('/posts').send({ title: 'Open to comments', body: 'Hi' });
    const comment = await reader.post(`/posts/${post.body.post.id}/comments`).send({ body: 'A reader speaks' });
    expect(comment.status).toBe(201);
  });

  it('a contributor’s “published” is stored as a draft, and the answer says so; an editor publishes it', async () => {
    const contributor = await staffAgent(t, 'contrib1', 'contributor');
    const res = await contributor.post('/posts').send({ title: 'Contributed', body: 'Text', status: 'published' });
    expect(res.status).toBe(201);
    expect(res.body.post.status).toBe('draft');
    expect(res.body.message).toBe(HELD_AS_DRAFT);
    const id = String(res.body.post.id);
    // Not public.
    expect((await request(t.app).get(`/posts/${id}`).set(json)).status).toBe(404);
    // Editing it to "published" keeps it a draft as well.
    const edit = await contributor
      .post(`/posts/${id}`)
      .send({ title: 'Contributed', body: 'Text 2', status: 'published' });
    expect(edit.body.post.status).toBe('draft');

    const editor = await staffAgent(t, 'editor1', 'editor');
    // The editor sees the draft, and publishes it.
    expect((await editor.get(`/posts/${id}`).set(json)).status).toBe(200);
    const publish = await editor
      .post(`/posts/${id}`)
      .send({ title: 'Contributed', body: 'Text 2', status: 'published' });
    expect(publish.status).toBe(200);
    expect(publish.body.post.status).toBe('published');
    expect((await request(t.app).get(`/posts/${id}`).set(json)).status).toBe(200);
    const stored = await postModel(t.connection).findById(id).lean();
    expect(stored?.authorName).toBe('contrib1');
    // And unpublishes it.
    const unpublish = await editor.post(`/posts/${id}`).send({ title: 'Contributed', body: 'Text 2', status: 'draft' });
    expect(unpublish.body.post.status).toBe('draft');
  });

  it('an author cannot edit or delete someone else’s post; an editor can', async () => {
    const author = await staffAgent(t, 'author1', 'author');
    const other = await staffAgent(t, 'author2', 'author');
    const post = await author.post('/posts').send({ title: 'Mine', body: 'Mine' });
    const id = String(post.body.post.id);
    expect((await other.post(`/posts/${id}`).send({ title: 'Theirs', body: 'x' })).status).toBe(403);
    expect((await other.post(`/posts/${id}/delete`).set(json).send({})).status).toBe(403);
    const editor = await staffAgent(t, 'editor2', 'editor');
    expect((await editor.post(`/posts/${id}/delete`).set(json).send({})).status).toBe(200);
    expect(await postModel(t.connection).exists({ _id: id })).toBeNull();
  });

  it('a role change applies to a live session at once: a demoted editor cannot publish others’ posts', async () => {
    const editor = await staffAgent(t, 'editor3', 'editor');
    const contributor = await staffAgent(t, 'contrib2', 'contributor');
    const draft = await contributor.post('/posts').send({ title: 'Waiting', body: 'Text', status: 'draft' });
    const id = String(draft.body.post.id);
    await setRole(t.connection, 'editor3', 'author');
    const res = await editor.post(`/posts/${id}`).send({ title: 'Waiting', body: 'Text', status: 'published' });
    expect(res.status).toBe(403);
    expect((await postModel(t.connection).findById(id).lean())?.status).toBe('draft');
    // And the other way: a reader made author posts at once, without signing in again.
    const reader = await staffAgent(t, 'reader2', 'reader');
    expect((await reader.post('/posts').send({ title: 'Later', body: 'x' })).status).toBe(403);
    await setRole(t.connection, 'reader2', 'author');
    expect((await reader.post('/posts').send({ title: 'Later', body: 'x' })).status).toBe(201);
  });

  it('new accounts get the site setting newAccountRole', async () => {
    await t.connection
      .collection('site_settings')
      .updateOne({ _id: 'site' as never }, { $set: { newAccountRole: 'contributor' } }, { upsert: true });
    const agent = request.agent(t.app);
    await registerJson(agent, 'newcomer');
    expect((await agent.get('/auth/profile')).body.user.role).toBe('contributor');
    await t.connection.collection('site_settings').deleteMany({});
  });
});

describe('the new-post form', () => {
  it('is refused to a reader (403), shown to a contributor', async () => {
    const t = await startTestApp();
    try {
      await registerJson(request.agent(t.app), 'firstone');
      const reader = await staffAgent(t, 'readonly', 'reader');
      expect((await reader.get('/posts/new')).status).toBe(403);
      const contributor = await staffAgent(t, 'drafter', 'contributor');
      expect((await contributor.get('/posts/new')).status).toBe(200);
      expect((await request(t.app).get('/posts/new')).headers.location).toMatch(/^\/auth\/login\?next=/);
      // The header offers "Write" / "New post" only to a role that may post (as of the sign-in).
      const readerAgain = request.agent(t.app);
      await readerAgain.post('/auth/login').send({ username: 'readonly', password: PASSWORD }).expect(200);
      expect((await readerAgain.get('/posts')).text).not.toContain('href="/posts/new"');
      const drafterAgain = request.agent(t.app);
      await drafterAgain.post('/auth/login').send({ username: 'drafter', password: PASSWORD }).expect(200);
      expect((await drafterAgain.get('/posts')).text).toContain('href="/posts/new"');
    } finally {
      await t.close();
    }
  });
});
