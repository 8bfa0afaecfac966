import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { searchQuery } from '../../src/posts/post-queries';
import { type Agent, createPost, startBlogApp } from '../posts/blog-app';
import { listedTitles } from '../support/http';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

let t: TestApp;
let author: Agent;

beforeAll(async () => {
  t = await startBlogApp();
  author = request.agent(t.app);
  await registerJson(author, 'searcher');
  // Body mentions first, so "newest first" alone would not put the title match on top.
  await createPost(author, { title: 'Gardening notes', body: 'The word marmalade appears in this body once.' });
  await createPost(author, { title: 'Marmalade, the whole story', body: 'Oranges and sugar.' });
  await createPost(author, { title: 'Unrelated', body: 'Nothing to see.', tags: 'Preserves' });
  await createPost(author, { title: 'Hidden marmalade draft', body: 'marmalade', status: 'draft' });
});
afterAll(() => t.close());

describe('/search', () => {
  it('finds a post by a word of its title, its tag or its body, and ranks the title match first', async () => {
    const res = await request(t.app).get('/search?q=marmalade').expect(200);
    expect(listedTitles(res.text)).toEqual(['Marmalade, the whole story', 'Gardening notes']);
    expect(listedTitles((await request(t.app).get('/search?q=preserves').expect(200)).text)).toEqual(['Unrelated']);
    expect(listedTitles((await request(t.app).get('/search?q=oranges').expect(200)).text)).toEqual([
      'Marmalade, the whole story',
    ]);
  });

  it('excludes drafts', async () => {
    const res = await request(t.app).get('/search?q=draft').expect(200);
    expect(res.text).not.toContain('Hidden marmalade draft');
    expect(res.text).toContain('No published post matches');
  });

  it('runs on the text index (explain)', async () => {
    // The very query the page sends (searchPublished), explained.
    const plan = await searchQuery(postModel(t.connection), 'marmalade', new Date(), 1).explain('queryPlanner');
    const text = JSON.stringify(plan);
    expect(text).toContain('TEXT_MATCH');
    expect(text).toContain('"indexName":"post_text"');
    expect(text).not.toContain('COLLSCAN');
  });

  it('an empty query shows the form; a 10,000-character one is a 400, not a 500; q[]= is a 400', async () => {
    const empty = await request(t.app).get('/search').expect(200);
    expect(empty.text).toContain('<form method="get" action="/search"');
    expect(empty.text).not.toContain('class="post-list');
    const huge = await request(t.app).get(`/search?q=${'a'.repeat(10_000)}`);
    expect(huge.status).toBe(400);
    expect(huge.text).toContain('Keep the search to 100 characters');
    const over = await request(t.app).get(`/search?q=${'a'.repeat(101)}`);
    expect(over.status).toBe(400);
    await request(t.app)
      .get(`/search?q=${'a'.repeat(100)}`)
      .expect(200);
    await request(t.app).get('/search?q=a&q=b').expect(400);
  });

  it('is paged', async () => {
    for (let i = 1; i <= 11; i++) {
      await postModel(t.connection).create({
        title: `Quince ${i}`,
        body: 'quince',
        authorId: '000000000000000000000001',
        authorName: 'searcher',
        publishedAt: new Date(Date.now() - (20 - i) * 60_000),
      });
    }
    const page1 = await request(t.app).get('/search?q=quince').expect(200);
    expect(listedTitles(page1.text)).toHaveLength(10);
    expect(page1.text).toContain('href="/search?q=quince&amp;page=2"');
    expect(listedTitles((await request(t.app).get('/search?q=quince&page=2').expect(200)).text)).toHaveLength(1);
  });

  it('the header has a search box on every page', async () => {
    const res = await request(t.app).get('/posts').expect(200);
    expect(res.text).toMatch(/<form class="site-search" method="get" action="\/search" role="search"/);
    expect(res.text).toContain('<label for="site-search-q" class="visually-hidden">Search posts</label>');
  });
});
