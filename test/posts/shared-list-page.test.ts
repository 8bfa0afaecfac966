import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { formatDateIn } from '../../src/time/time-zone';
import { userModel } from '../../src/users/user.model';
import { type Agent, signIn, signUp, startApp, type TestApp } from '../support/app';
import { csrfTokenFrom, listedTitles } from '../support/http';

/**
 * Signed-in GET /posts composes a list rendered once and shared by every visitor (posts/list.ejs, kept with
 * the shared results) with the visitor's own header: name, CSRF token, reading-list count. Nothing of one
 * visitor may reach another through the shared part, and a draft or a post not yet due never appears in it.
 * Were the whole signed-in page kept and shared instead, the first visitor's header would show to the next
 * and this file fails.
 */

let t: TestApp;
let ann: Agent;
let bob: Agent;
let cy: Agent;
let publicId: string;
/** 20:00 UTC on 1 January is already 2 January on Kiritimati (UTC+14): the date shows the reader's zone. */
const PUBLISHED = new Date('2026-01-01T20:00:00Z');
const FAR_ZONE = 'Pacific/Kiritimati';

const signedInAs = (html: string) => /Signed in as <strong>([^<]+)<\/strong>/.exec(html)?.[1];
const headerCount = (html: string) => /class="nav-count">.*?(\d+)/.exec(html)?.[1];
const listDate = (html: string) => /data-local="date">([^<]+)</.exec(html)?.[1];

async function agentFor(username: string, timeZone?: string): Promise<Agent> {
  await signUp(request.agent(t.app), username);
  if (timeZone) await userModel(t.connection).updateOne({ username }, { $set: { timeZone } });
  // Signed in afresh, so the session carries the zone.
  const agent = request.agent(t.app);
  await signIn(agent, username);
  return agent;
}

beforeAll(async () => {
  t = await startApp({ env: { PAGE_CACHE_SECONDS: '60' } });
  const posts = postModel(t.connection);
  const base = { body: 'x', authorId: '000000000000000000000001', authorName: 'writer', tags: ['cookies'] };
  const [published] = await posts.insertMany([
    { ...base, title: 'Public post', status: 'published', publishedAt: PUBLISHED, createdAt: PUBLISHED },
    { ...base, title: 'Secret draft', status: 'draft', createdAt: PUBLISHED },
    { ...base, title: 'Not yet due', status: 'published', publishedAt: new Date(Date.now() + 86_400_000) },
  ]);
  publicId = String(published?._id);
  ann = await agentFor('ann', FAR_ZONE);
  bob = await agentFor('bob');
  cy = await agentFor('cyd');
  // Ann saves the post: her header counts it, nobody else's does.
  const page = await ann.get(`/posts/${publicId}`);
  await ann
    .post(`/reading-list/${publicId}`)
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), returnTo: `/posts/${publicId}` })
    .expect(303);
});
afterAll(() => t.close());

describe('signed-in GET /posts: a shared list in each visitor’s own page', () => {
  it('two signed-in readers and an anonymous visitor each see their own header, token and count', async () => {
    // Each reads twice: the second view is composed from the shared list the first (or another) made.
    const pages = { ann: '', bob: '', cy: '', anonymous: '' };
    for (let round = 0; round < 2; round += 1) {
      pages.ann = (await ann.get('/posts').expect(200)).text;
      pages.bob = (await bob.get('/posts').expect(200)).text;
      pages.cy = (await cy.get('/posts').expect(200)).text;
      pages.anonymous = (await request(t.app).get('/posts').expect(200)).text;
    }
    expect(signedInAs(pages.ann)).toBe('ann');
    expect(signedInAs(pages.bob)).toBe('bob');
    expect(signedInAs(pages.cy)).toBe('cyd');
    expect(signedInAs(pages.anonymous)).toBeUndefined();
    expect(pages.anonymous).toContain('href="/auth/login"');
    expect(pages.anonymous).not.toContain('name="_csrf"');

    expect(headerCount(pages.ann)).toBe('1');
    expect(headerCount(pages.bob)).toBeUndefined();
    expect(headerCount(pages.anonymous)).toBeUndefined();

    const tokens = [pages.ann, pages.bob, pages.cy].map(csrfTokenFrom);
    expect(new Set(tokens).size).toBe(3);
    // Each page's token is its own session's: another session's is refused.
    await bob.post('/reading-list/000000000000000000000000').type('form').send({ _csrf: tokens[0] }).expect(403);

    // Dates in each reader's zone (the shared list is kept per zone).
    expect(listDate(pages.ann)).toBe(formatDateIn(PUBLISHED, FAR_ZONE));
    expect(listDate(pages.bob)).toBe(formatDateIn(PUBLISHED, 'UTC'));
    expect(listDate(pages.ann)).not.toBe(listDate(pages.bob));

    for (const html of Object.values(pages)) {
      expect(listedTitles(html)).toEqual(['Public post']);
      expect(html).not.toContain('Secret draft');
      expect(html).not.toContain('Not yet due');
      expect(html).not.toMatch(/\/edit"/);
    }
  });

  it('renders the list once for every signed-in reader of a zone: later views render only their header', async () => {
    await t.services.pageCache.clear();
    const render = vi.spyOn(t.app, 'render');
    const listRenders = () => render.mock.calls.filter(([view]) => view === 'posts/list').length;
    try {
      await bob.get('/posts').expect(200);
      expect(listRenders()).toBe(1);
      const cyPage = await cy.get('/posts').expect(200);
      await bob.get('/posts').expect(200);
      expect(listRenders()).toBe(1);
      expect(signedInAs(cyPage.text)).toBe('cyd');
      // Another zone is another shared list.
      await ann.get('/posts').expect(200);
      expect(listRenders()).toBe(2);
    } finally {
      render.mockRestore();
    }
  });

  it("the shared head is the page's own: one reader's query string never reaches another's page", async () => {
    t.services.pageCache.clear();
    const canonical = (html: string) => /<link rel="canonical" href="([^"]+)">/.exec(html)?.[1];
    const odd = await bob.get('/posts?q=%22injected%22&page=01&utm_source=x').expect(200);
    const plain = await cy.get('/posts').expect(200);
    expect(canonical(plain.text)).toMatch(/^https?:\/\/[^/]+\/posts$/);
    expect(canonical(odd.text)).toBe(canonical(plain.text));
    expect(plain.text).not.toContain('injected');
  });

  it("a tag's page is shared the same way: each reader's own header, one rendering of the list", async () => {
    t.services.pageCache.clear();
    const render = vi.spyOn(t.app, 'render');
    const listRenders = () => render.mock.calls.filter(([view]) => view === 'tags/list').length;
    try {
      const bobs = await bob.get('/tags/cookies?utm_source=x').expect(200);
      const cyds = await cy.get('/tags/cookies').expect(200);
      expect(listRenders()).toBe(1);
      expect(signedInAs(bobs.text)).toBe('bob');
      expect(signedInAs(cyds.text)).toBe('cyd');
      expect(csrfTokenFrom(bobs.text)).not.toBe(csrfTokenFrom(cyds.text));
      expect(listedTitles(cyds.text)).toEqual(['Public post']);
      expect(cyds.text).not.toContain('Secret draft');
      expect(cyds.text).toContain('href="/tags/cookies/feed.xml"');
      expect(/<link rel="canonical" href="([^"]+)">/.exec(cyds.text)?.[1]).toMatch(/\/tags\/cookies$/);
      const anonymous = await request(t.app).get('/tags/cookies').expect(200);
      expect(signedInAs(anonymous.text)).toBeUndefined();
      expect(anonymous.text).not.toContain('name="_csrf"');
    } finally {
      render.mockRestore();
    }
  });

  it('a writer reads fresh right after their write; the others get it as the write clears the shared list', async () => {
    await cy.get('/posts').expect(200);
    const form = await bob.get('/posts/new').expect(200);
    await bob
      .post('/posts')
      .type('form')
      .send({ _csrf: csrfTokenFrom(form.text), title: 'Bob writes', body: 'y', status: 'published' })
      .expect(303);
    const bobs = await bob.get('/posts').expect(200);
    expect(listedTitles(bobs.text)[0]).toBe('Bob writes');
    expect(signedInAs(bobs.text)).toBe('bob');
    const cys = await cy.get('/posts').expect(200);
    expect(listedTitles(cys.text)[0]).toBe('Bob writes');
    expect(signedInAs(cys.text)).toBe('cyd');
  });
});
