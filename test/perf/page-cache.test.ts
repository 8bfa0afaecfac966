import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageCache } from '../../src/http/page-cache';
import { postModel } from '../../src/posts/post.model';
import { CACHEABLE_PAGES } from '../../src/services';
import { createPost } from '../posts/blog-app';
import { type Agent, startApp, type TestApp, TestClock } from '../support/app';
import { listedTitles } from '../support/http';
import { connectTestDb, releaseTestDb } from '../support/test-app';
import { registerJson } from '../support/users';

/**
 * Issue 15, "anonymous reading at full speed": two app instances on one database stand for two processes,
 * each with its own page cache (the default PAGE_CACHE_SECONDS), on one clock the tests move past the TTL.
 */
let a: TestApp;
let b: TestApp;
let writer: Agent;
// Stands still unless moved: how far past the TTL a request lands does not depend on how busy the machine is.
const clock = new TestClock(Date.now());
/** Moves both "processes" past the cache's TTL (or, given a negative margin, to just before it). */
const pastTtl = (margin = 100) => clock.advance(a.config.pageCacheSeconds * 1000 + margin);

beforeAll(async () => {
  const connection = await connectTestDb();
  a = await startApp({ connection, clock });
  b = await startApp({ connection, clock });
  writer = request.agent(a.app);
  await registerJson(writer, 'cachewriter');
  await createPost(writer, { title: 'First post', body: 'x' });
});
afterAll(async () => {
  await releaseTestDb(a.connection);
});

describe('the page cache', () => {
  it('anonymous /posts: ETag, 304 on a match, served from memory the second time, no cookie', async () => {
    const first = await request(a.app).get('/posts').expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers['set-cookie']).toBeUndefined();
    const second = await request(a.app).get('/posts').expect(200);
    expect(second.headers['x-page-cache']).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(second.headers.etag).toBe(etag);
    expect(second.headers.vary).toBe(first.headers.vary);
    expect(second.headers['set-cookie']).toBeUndefined();
    const notModified = await request(a.app).get('/posts').set('If-None-Match', etag);
    expect(notModified.status).toBe(304);
    expect(notModified.headers['set-cookie']).toBeUndefined();
    // HTML and JSON are cached apart.
    const json = await request(a.app).get('/posts').set('Accept', 'application/json').expect(200);
    expect(json.body.posts[0].title).toBe('First post');
  });

  it('a post made through the same process is on the next anonymous page at once', async () => {
    await request(a.app).get('/posts').expect(200);
    expect((await request(a.app).get('/posts')).headers['x-page-cache']).toBe('hit');
    await createPost(writer, { title: 'Second post', body: 'x' });
    const next = await request(a.app).get('/posts').expect(200);
    expect(listedTitles(next.text)[0]).toBe('Second post');
  });

  it('through another process: within PAGE_CACHE_SECONDS', async () => {
    // b caches its view, then a write arrives through a (another process as far as b knows).
    expect(listedTitles((await request(b.app).get('/posts')).text)[0]).toBe('Second post');
    await createPost(writer, { title: 'Third post', body: 'x' });
    const stale = await request(b.app).get('/posts').expect(200);
    expect(stale.headers['x-page-cache']).toBe('hit');
    expect(listedTitles(stale.text)[0]).toBe('Second post');
    pastTtl(-100);
    expect((await request(b.app).get('/posts')).headers['x-page-cache']).toBe('hit');
    clock.advance(200);
    expect(listedTitles((await request(b.app).get('/posts')).text)[0]).toBe('Third post');
  });

  it('a signed-in page is never served from (or stored in) the cache and stays no-store', async () => {
    await request(a.app).get('/posts').expect(200);
    for (let i = 0; i < 2; i++) {
      const mine = await writer.get('/posts').expect(200);
      expect(mine.headers['x-page-cache']).toBeUndefined();
      expect(mine.text).toContain('cachewriter');
      expect(mine.headers['cache-control']).toBe('no-store');
    }
    const anonymous = await request(a.app).get('/posts').expect(200);
    expect(anonymous.headers['x-page-cache']).toBe('hit');
    expect(anonymous.text).not.toContain('cachewriter</strong>');
    expect(anonymous.text).not.toContain('Signed in as');
  });

  it("a session cookie is judged by its signature every time: a forged copy of a signed-in visitor's gets the cached page", async () => {
    const mine = await writer.get('/posts').expect(200);
    expect(mine.headers['x-page-cache']).toBeUndefined();
    const cookie = writer.jar.getCookie(a.config.session.cookieName, {
      domain: '127.0.0.1',
      path: '/',
      secure: false,
      script: false,
    });
    if (!cookie) throw new Error('the writer has no session cookie');
    // Seen (and verified) on every view: still never served from the cache.
    for (let i = 0; i < 3; i++) {
      const again = await request(a.app).get('/posts').set('Cookie', `${cookie.name}=${cookie.value}`).expect(200);
      expect(again.headers['x-page-cache']).toBeUndefined();
      expect(again.text).toContain('Signed in as');
    }
    // Its signature changed by one character: a cookie express-session ignores, so the visitor is anonymous.
    const last = cookie.value.slice(-1);
    const forged = `${cookie.value.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    await request(a.app).get('/posts').expect(200);
    const answer = await request(a.app).get('/posts').set('Cookie', `${cookie.name}=${forged}`).expect(200);
    expect(answer.headers['x-page-cache']).toBe('hit');
    expect(answer.text).not.toContain('Signed in as');
  });

  it('a write straight to MongoDB (as by another process) shows once the TTL has passed', async () => {
    await postModel(a.connection).create({
      title: 'Written elsewhere',
      body: 'x',
      authorId: '000000000000000000000001',
      authorName: 'cachewriter',
      // Published at the app's time (the clock stands still; mongoose would stamp the wall clock's "now").
      publishedAt: new Date(clock.now),
    });
    pastTtl();
    expect(listedTitles((await request(a.app).get('/posts')).text)[0]).toBe('Written elsewhere');
  });

  it('PAGE_CACHE_SECONDS=0: no cache, ETag and 304 still', async () => {
    const off = await startApp({ connection: a.connection, env: { PAGE_CACHE_SECONDS: '0' } });
    const first = await request(off.app).get('/posts').expect(200);
    const second = await request(off.app).get('/posts').expect(200);
    expect(second.headers['x-page-cache']).toBeUndefined();
    expect(
      (
        await request(off.app)
          .get('/posts')
          .set('If-None-Match', first.headers.etag as string)
      ).status,
    ).toBe(304);
  });

  it('a revalidation that misses the cache is still a 304, and fills the cache for the next one', async () => {
    const first = await request(b.app).get('/posts').expect(200);
    const etag = first.headers.etag as string;
    pastTtl(); // the entry has expired
    const miss = await request(b.app).get('/posts').set('If-None-Match', etag);
    expect(miss.status).toBe(304);
    expect(miss.headers['x-page-cache']).toBeUndefined();
    expect(miss.text ?? '').toBe('');
    expect(miss.headers['content-length']).toBeUndefined();
    const hit = await request(b.app).get('/posts').set('If-None-Match', etag);
    expect(hit.status).toBe(304);
    expect(hit.headers['x-page-cache']).toBe('hit');
    // The page kept is the full one, with its type, though the miss answered without a body.
    const full = await request(b.app).get('/posts').expect(200);
    expect(full.headers['x-page-cache']).toBe('hit');
    expect(full.headers['content-type']).toBe(first.headers['content-type']);
    expect(full.text).toBe(first.text);
  });

  it('a revalidation with an old ETag that misses the cache gets the page in full', async () => {
    pastTtl();
    const stale = await request(b.app).get('/posts').set('If-None-Match', '"not-this-page"');
    expect(stale.status).toBe(200);
    expect(listedTitles(stale.text).length).toBeGreaterThan(0);
    expect((await request(b.app).get('/posts')).headers['x-page-cache']).toBe('hit');
  });
});

describe('PageCache, bounded by bytes', () => {
  it('evicts the least recently used pages past maxBytes', async () => {
    const cache = new PageCache({ seconds: 60, cookieName: 'folio.sid', maxBytes: 50_000, cacheable: CACHEABLE_PAGES });
    const app = express();
    let rendered = 0;
    app.use(cache.middleware());
    app.get('/posts/:n', (req, res) => {
      rendered += 1;
      res.send(`<p>${req.params.n}</p>${'x'.repeat(10_000)}`);
    });
    // A write by a signed-in visitor (the session middleware's work, stood in for here) clears the cache.
    app.post('/posts', (req, res) => {
      Object.assign(req, { session: { user: { id: 'u1', username: 'writer' } } });
      res.redirect(303, '/posts/1');
    });
    app.post('/posts/anonymous', (_req, res) => res.redirect(303, '/posts/1'));
    for (let n = 0; n < 10; n++) await request(app).get(`/posts/${n}`).expect(200);
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(rendered).toBe(10);
    await request(app).get('/posts/9').expect(200);
    expect(rendered).toBe(10); // the newest is kept
    await request(app).get('/posts/0').expect(200);
    expect(rendered).toBe(11); // the oldest was evicted
    // A request with the session cookie passes by.
    await request(app).get('/posts/9').set('Cookie', 'folio.sid=abc').expect(200);
    expect(rendered).toBe(12);
    // A refused POST (here a 404) changed nothing and leaves the cache; a write that succeeds clears it all.
    const kept = cache.size;
    await request(app).post('/posts/9').expect(404);
    expect(cache.size).toBe(kept);
    // A visitor without an account changed no public page either (issue 19: nobody empties it at will).
    await request(app).post('/posts/anonymous').expect(303);
    expect(cache.size).toBe(kept);
    await request(app).post('/posts').expect(303);
    expect(cache.size).toBe(0);
  });
});
