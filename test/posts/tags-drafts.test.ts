import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { slugifyTag } from '../../src/posts/tags';
import { listedTitles } from '../support/http';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { type Agent, createPost, startBlogApp, submitPost, TestClock } from './blog-app';

let t: TestApp;
let author: Agent;
let other: Agent;
const clock = new TestClock(Date.UTC(2030, 0, 15, 12, 0, 0));
const HOUR = 3_600_000;
const MINUTE = 60_000;

beforeAll(async () => {
  t = await startBlogApp({ clock });
  author = request.agent(t.app);
  other = request.agent(t.app);
  await registerJson(author, 'tagger');
  await registerJson(other, 'nosy');
});
afterAll(() => t.close());

const anon = () => request(t.app);

describe('tags', () => {
  it('slugs: Node.js → node-js, accents dropped, 1–30 of [a-z0-9-]', () => {
    expect(slugifyTag('Node.js')).toBe('node-js');
    expect(slugifyTag('  Café Crème ')).toBe('cafe-creme');
    expect(slugifyTag('C++ / Rust!!')).toBe('c-rust');
    expect(slugifyTag('!!!')).toBe('');
  });

  it('are slugged, shown on the post and its summary, and list their posts at /tags/:tag', async () => {
    const id = await createPost(author, { title: 'Tagged one', body: 'x', tags: 'Node.js, Cookies , node.js,,' });
    const stored = await postModel(t.connection).findById(id).lean();
    expect(stored?.tags).toEqual(['node-js', 'cookies']);
    const page = await anon().get(`/posts/${id}`);
    expect(page.text).toContain(
      '<a class="tag" href="/tags/node-js"><span class="visually-hidden">Tag: </span>#node-js</a>',
    );
    const list = await anon().get('/posts');
    expect(list.text).toContain(
      '<a class="tag" href="/tags/cookies"><span class="visually-hidden">Tag: </span>#cookies</a>',
    );
    const tagPage = await anon().get('/tags/node-js').expect(200);
    expect(listedTitles(tagPage.text)).toEqual(['Tagged one']);
    expect((await anon().get('/tags/nothing-here').expect(200)).text).toContain('No published posts have this tag');
    const typed = await anon().get('/tags/Node.js').expect(301);
    expect(typed.headers.location).toBe('/tags/node-js');
    await anon().get('/tags/%21%21%21').expect(404);
  });

  it('/tags/:tag is paged, newest first', async () => {
    for (let i = 1; i <= 12; i++) {
      await postModel(t.connection).create({
        title: `Paged ${i}`,
        body: 'x',
        tags: ['paged'],
        authorId: '000000000000000000000001',
        authorName: 'tagger',
        publishedAt: new Date(clock.ms - (20 - i) * HOUR),
      });
    }
    const page1 = await anon().get('/tags/paged').expect(200);
    expect(listedTitles(page1.text)).toEqual(Array.from({ length: 10 }, (_, i) => `Paged ${12 - i}`));
    expect(page1.text).toContain('href="/tags/paged?page=2"');
    const page2 = await anon().get('/tags/paged?page=2').expect(200);
    expect(listedTitles(page2.text)).toEqual(['Paged 2', 'Paged 1']);
  });

  it.each([
    ['six tags', 'a, b, c, d, e, f', 'At most 5 tags'],
    ['a tag of nothing but punctuation', 'ok, !!!', 'has no letters or digits'],
    ['a tag longer than 30', 'x'.repeat(31), 'Keep each tag to 30 characters'],
  ])('%s → 422, the input kept, nothing saved', async (_name, tags, message) => {
    const before = await postModel(t.connection).countDocuments();
    const res = await submitPost(author, { title: 'Kept title', body: 'Kept body', tags });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain('value="Kept title"');
    expect(res.text).toContain(`value="${tags.replace(/!/g, '!')}"`);
    expect(res.text).toMatch(/id="field-tags"[^>]*aria-invalid="true"/);
    expect(await postModel(t.connection).countDocuments()).toBe(before);
  });
});

describe('drafts and scheduled posts', () => {
  let draftId: string;
  let scheduledId: string;
  let publishedId: string;

  beforeAll(async () => {
    draftId = await createPost(author, { title: 'Secret draft', body: 'draftword', tags: 'hidden', status: 'draft' });
    scheduledId = await createPost(author, {
      title: 'Future post',
      body: 'futureword',
      tags: 'hidden',
      publishAt: new Date(clock.ms + 10 * MINUTE).toISOString().slice(0, 16),
    });
    publishedId = await createPost(author, { title: 'Public post', body: 'publicword', tags: 'hidden' });
  });

  it('are 404 for everyone but their author', async () => {
    for (const id of [draftId, scheduledId]) {
      await anon().get(`/posts/${id}`).expect(404);
      await other.get(`/posts/${id}`).expect(404);
      const own = await author.get(`/posts/${id}`).expect(200);
      expect(own.text).toMatch(/Draft — only you can see it|Scheduled for/);
    }
    await anon().get(`/posts/${publishedId}`).expect(200);
  });

  it('are absent from the list, tag and author pages, feeds and search', async () => {
    for (const path of [
      '/posts',
      '/tags/hidden',
      '/users/tagger',
      '/feed.xml',
      '/feed.json',
      '/tags/hidden/feed.xml',
      '/users/tagger/feed.xml',
      '/search?q=draftword',
      '/search?q=futureword',
      '/search?q=hidden',
    ]) {
      const res = await anon().get(path).expect(200);
      expect(res.text, path).not.toContain('Secret draft');
      expect(res.text, path).not.toContain('Future post');
    }
    expect((await anon().get('/tags/hidden')).text).toContain('Public post');
    expect((await anon().get('/search?q=publicword')).text).toContain('Public post');
    // The author page counts public posts only.
    expect((await anon().get('/users/tagger')).text).not.toContain(
      `${await postModel(t.connection).countDocuments({ authorName: 'tagger' })} posts`,
    );
  });

  it('are listed for their author under /drafts, and /drafts needs a sign-in', async () => {
    const res = await author.get('/drafts').expect(200);
    expect(listedTitles(res.text)).toEqual(expect.arrayContaining(['Secret draft', 'Future post']));
    expect(res.text).not.toContain('Public post');
    const others = await other.get('/drafts').expect(200);
    expect(others.text).not.toContain('Secret draft');
    const loggedOut = await anon().get('/drafts');
    expect(loggedOut.status).toBe(303);
    expect(loggedOut.headers.location).toBe('/auth/login?next=%2Fdrafts');
  });

  it('a past publish time is refused (422, input kept)', async () => {
    const res = await submitPost(author, { title: 'Backdated', body: 'x', publishAt: '2001-01-01T00:00' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose a time in the future');
    expect(res.text).toContain('value="2001-01-01T00:00"');
  });

  it('once due, a scheduled post is everywhere, in publication order; a published draft goes out now', async () => {
    // Less than the idle timeout, which runs on the same clock.
    clock.advance(15 * MINUTE);
    // Publish the draft (now, after the scheduled post's time): it becomes the newest.
    const form = await author.get(`/posts/${draftId}/edit`).expect(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    await author
      .post(`/posts/${draftId}`)
      .type('form')
      .send({ title: 'Secret draft', body: 'draftword', tags: 'hidden', status: 'published', _csrf: token })
      .expect(303);
    // Anonymous pages may be cached for PAGE_CACHE_SECONDS; the edit above cleared this process's cache.
    const list = listedTitles((await anon().get('/tags/hidden').expect(200)).text);
    expect(list).toEqual(['Secret draft', 'Future post', 'Public post']);
    await anon().get(`/posts/${scheduledId}`).expect(200);
    const feed = (await anon().get('/feed.xml')).text;
    expect(feed.indexOf('Secret draft')).toBeLessThan(feed.indexOf('Future post'));
    expect((await anon().get('/search?q=futureword')).text).toContain('Future post');
  });
});
