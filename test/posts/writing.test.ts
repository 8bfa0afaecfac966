import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/posts/markdown';
import { postModel } from '../../src/posts/post.model';
import { csrfTokenFrom } from '../support/http';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { type Agent, createPost, startBlogApp, TestClock } from './blog-app';

const clock = new TestClock(Date.UTC(2030, 0, 15, 9, 41, 0));
let t: TestApp;
let writer: Agent;
let other: Agent;

beforeAll(async () => {
  t = await startBlogApp({ clock });
  writer = request.agent(t.app);
  other = request.agent(t.app);
  await registerJson(writer, 'scribe');
  await registerJson(other, 'rival');
});
afterAll(() => t.close());

async function newPage(agent: Agent) {
  const html = (await agent.get('/posts/new').expect(200)).text;
  const key = /name="draftKey" value="([^"]+)"/.exec(html)?.[1];
  if (!key) throw new Error('no draftKey on the page');
  return { token: csrfTokenFrom(html), key, html };
}

const autosave = (agent: Agent, fields: Record<string, string>) =>
  agent.post('/posts/autosave').type('form').set('Accept', 'application/json').send(fields);

describe('Preview', () => {
  it('renders with the post renderer (sanitised), as a fragment, for a signed-in writer with the CSRF token', async () => {
    const { token } = await newPage(writer);
    const source =
      '# Hello\n\n**bold** <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |';
    const res = await writer.post('/posts/preview').type('form').send({ _csrf: token, body: source }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toBe(renderMarkdown(source));
    expect(res.text).toContain('<strong>bold</strong>');
    expect(res.text).not.toMatch(/<script|onerror/i);
    expect(res.text).not.toContain('<html');
    // The same HTML the post gets once published.
    const id = await createPost(writer, { title: 'Previewed', body: source });
    expect((await postModel(t.connection).findById(id).lean())?.bodyHtml).toBe(res.text);
  });

  it('is refused without the token, and to anonymous visitors', async () => {
    await writer.post('/posts/preview').type('form').send({ body: 'x' }).expect(403);
    const anon = await request(t.app).post('/posts/preview').set('Accept', 'application/json').send({ body: 'x' });
    expect(anon.status).toBe(401);
  });
});

describe('autosave', () => {
  it('creates the draft on the first save, updates it afterwards, and says "Saved 09:41"', async () => {
    const { token, key } = await newPage(writer);
    const first = await autosave(writer, { _csrf: token, draftKey: key, title: '', body: 'First words' }).expect(200);
    expect(first.body.draft.label).toBe('Saved 09:41');
    const id = first.body.draft.id as string;
    expect(first.body.draft.action).toBe(`/posts/${id}`);
    const stored = await postModel(t.connection).findById(id).lean();
    expect(stored).toMatchObject({
      status: 'draft',
      title: 'Untitled draft',
      body: 'First words',
      authorName: 'scribe',
    });
    clock.advance(60_000);
    const second = await autosave(writer, {
      _csrf: token,
      draftKey: key,
      title: 'A title',
      body: 'More words',
      tags: 'Cookies',
    });
    expect(second.body.draft).toMatchObject({ id, label: 'Saved 09:42' });
    const after = await postModel(t.connection).findById(id).lean();
    expect(after).toMatchObject({ title: 'A title', body: 'More words', tags: ['cookies'], status: 'draft' });
    expect(after?.bodyHtml).toBe(renderMarkdown('More words'));
    // It is in the writer's drafts, and nowhere public.
    expect((await writer.get('/drafts')).text).toContain('A title');
    await request(t.app).get(`/posts/${id}`).expect(404);
  });

  it('makes one draft however many first saves are in flight together', async () => {
    const { token, key } = await newPage(writer);
    const before = await postModel(t.connection).countDocuments({ authorName: 'scribe' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        autosave(writer, { _csrf: token, draftKey: key, title: 'Racing', body: `version ${i}` }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const ids = new Set(answers.map((a) => a.body.draft.id as string));
    expect(ids.size).toBe(1);
    expect(await postModel(t.connection).countDocuments({ authorName: 'scribe' })).toBe(before + 1);
  });

  it('the page’s buttons then save that same draft (the form’s action moves to it): no second post', async () => {
    const { token, key } = await newPage(writer);
    const saved = await autosave(writer, { _csrf: token, draftKey: key, title: 'Going out', body: 'Text' }).expect(200);
    const before = await postModel(t.connection).countDocuments({ authorName: 'scribe' });
    await writer
      .post(saved.body.draft.action as string)
      .type('form')
      .send({ _csrf: token, title: 'Going out', body: 'Final text', status: 'published' })
      .expect(303);
    expect(await postModel(t.connection).countDocuments({ authorName: 'scribe' })).toBe(before);
    expect(await postModel(t.connection).findById(saved.body.draft.id).lean()).toMatchObject({
      status: 'published',
      body: 'Final text',
    });
    // A published post is never changed by autosave, from the old page or by its id.
    await autosave(writer, { _csrf: token, draftKey: key, title: 'x', body: 'late save' }).expect(409);
    await autosave(writer, { _csrf: token, id: saved.body.draft.id, title: 'x', body: 'late save' }).expect(409);
    expect((await postModel(t.connection).findById(saved.body.draft.id).lean())?.body).toBe('Final text');
  });

  it('never touches another writer’s draft, and is refused without the CSRF token', async () => {
    const { token, key } = await newPage(writer);
    const mine = await autosave(writer, { _csrf: token, draftKey: key, title: 'Mine', body: 'mine' }).expect(200);
    const theirs = await newPage(other);
    await autosave(other, { _csrf: theirs.token, id: mine.body.draft.id, title: 'Stolen', body: 'x' }).expect(409);
    // The same key from another account is another draft, not this one.
    const same = await autosave(other, { _csrf: theirs.token, draftKey: key, title: 'Theirs', body: 'x' }).expect(200);
    expect(same.body.draft.id).not.toBe(mine.body.draft.id);
    expect((await postModel(t.connection).findById(mine.body.draft.id).lean())?.title).toBe('Mine');
    await autosave(writer, { draftKey: key, title: 'No token', body: 'x' }).expect(403);
    await autosave(writer, { _csrf: token, draftKey: 'short', body: 'x' }).expect(422);
  });

  it('works with the kept-form rescue: signed out mid-draft, the text and the draft key come back after sign-in', async () => {
    const agent = request.agent(t.app);
    await registerJson(agent, 'rescued');
    const { token, key } = await newPage(agent);
    const saved = await autosave(agent, { _csrf: token, draftKey: key, title: 'Kept', body: 'before' }).expect(200);
    // Signed out elsewhere ("sign out everywhere" on another device; issue 19: a kept form needs the signed-in
    // session it was typed in), then the writer presses "Save draft".
    const userId = String((await t.connection.collection('users').findOne({ username: 'rescued' }))?._id);
    await t.services.sessions.endAllForUser(userId, 'revoked');
    const sent = await agent
      .post('/posts')
      .type('form')
      .send({ _csrf: token, draftKey: key, title: 'Kept', body: 'after', status: 'draft' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toContain('/auth/login');
    await agent.post('/auth/login').send({ username: 'rescued', password: 'quiet-river-stone-42' }).expect(200);
    const page = await newPage(agent);
    expect(page.key).toBe(key);
    expect(page.html).toContain('>after</textarea>');
    // The next autosave from the restored page is the same draft.
    const again = await autosave(agent, { _csrf: page.token, draftKey: page.key, title: 'Kept', body: 'after' }).expect(
      200,
    );
    expect(again.body.draft.id).toBe(saved.body.draft.id);
    expect(await postModel(t.connection).countDocuments({ authorName: 'rescued' })).toBe(1);
  });
});

describe('the header', () => {
  it('has a one-tap “Write” for a signed-in writer (the phone’s header), none for visitors', async () => {
    expect((await writer.get('/posts')).text).toMatch(
      /<li class="nav-narrow"><a class="nav-link" href="\/posts\/new">Write<\/a>/,
    );
    expect((await request(t.app).get('/posts')).text).not.toContain('>Write</a>');
  });
});
