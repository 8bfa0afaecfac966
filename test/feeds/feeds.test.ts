import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Element, xml2js } from 'xml-js';
import { phonePhoto } from '../images/image-fixtures';
import { type Agent, createPost, startBlogApp } from '../posts/blog-app';
import { XSS_PAYLOADS } from '../posts/xss-payloads';
import { csrfTokenFrom } from '../support/http';
import type { TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

const ORIGIN = 'https://blog.example.com';
const ATOM_NS = 'http://www.w3.org/2005/Atom';
let t: TestApp;
let author: Agent;

beforeAll(async () => {
  t = await startBlogApp({
    env: { PUBLIC_URL: ORIGIN },
    writeLimits: {
      post: { key: 'post', points: 1_000, duration: 60 },
      comment: { key: 'comment', points: 10, duration: 60 },
    },
  });
  author = request.agent(t.app);
  await registerJson(author, 'feeder');
  await createPost(author, {
    title: 'Plain post',
    body: 'Some *Markdown* and [a link](https://example.com).',
    tags: 'Node.js',
  });
  for (const payload of XSS_PAYLOADS) {
    await author.post('/posts').send({ title: payload.slice(0, 200), body: `x ${payload}\n\n${payload}`, tags: 'xss' });
  }
  await createPost(author, { title: 'A draft', body: 'x', status: 'draft' });
});
afterAll(() => t.close());

const children = (el: Element | undefined, name: string): Element[] =>
  (el?.elements ?? []).filter((c) => c.type === 'element' && c.name === name);
const child = (el: Element | undefined, name: string) => children(el, name)[0];
const text = (el: Element | undefined): string =>
  (el?.elements ?? [])
    .map((c) => (c.type === 'text' || c.type === 'cdata' ? String(c.text ?? c.cdata ?? '') : ''))
    .join('');

/** Atom 1.0 (RFC 4287): the required elements of the feed and of every entry, parsed, not pattern-matched. */
function parseAtom(xml: string) {
  const doc = xml2js(xml, { compact: false }) as Element;
  const feed = child(doc, 'feed');
  expect(feed?.attributes?.xmlns).toBe(ATOM_NS);
  for (const required of ['id', 'title', 'updated']) expect(text(child(feed, required)), required).not.toBe('');
  expect(Number.isNaN(Date.parse(text(child(feed, 'updated'))))).toBe(false);
  expect(children(feed, 'link').some((l) => l.attributes?.rel === 'self')).toBe(true);
  const entries = children(feed, 'entry');
  for (const entry of entries) {
    for (const required of ['id', 'title', 'updated']) expect(text(child(entry, required)), required).not.toBe('');
    expect(child(entry, 'link')?.attributes?.href).toBeDefined();
    expect(text(child(child(entry, 'author'), 'name'))).not.toBe('');
  }
  const urls = [
    text(child(feed, 'id')),
    ...children(feed, 'link').map((l) => String(l.attributes?.href)),
    ...entries.flatMap((e) => [
      text(child(e, 'id')),
      String(child(e, 'link')?.attributes?.href),
      text(child(child(e, 'author'), 'uri')),
    ]),
  ];
  return {
    feed,
    entries,
    urls,
    titles: entries.map((e) => text(child(e, 'title'))),
    contents: entries.map((e) => text(child(e, 'content'))),
  };
}

/** What must never be in a feed item's HTML. */
function expectInert(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<(iframe|object|embed|svg|math|style|form|details|body)\b/i);
  expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/<[a-z][^>]*\s(href|src)\s*=\s*["']?\s*(javascript|data|vbscript):/i);
}

describe('feeds', () => {
  it('/feed.xml is Atom 1.0 of the latest 20 published posts, absolute links from PUBLIC_URL, no script', async () => {
    const res = await request(t.app).get('/feed.xml').set('Host', 'localhost').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const { entries, urls, titles, contents } = parseAtom(res.text);
    expect(entries).toHaveLength(20);
    expect(titles).not.toContain('A draft');
    for (const url of urls) expect(url.startsWith(`${ORIGIN}/`), url).toBe(true);
    for (const html of contents) expectInert(html);
    // Entry titles and summaries are type="html": a title's markup must arrive escaped, as text.
    for (const title of titles) expect(title).not.toMatch(/<[a-z!/]/i);
    expect(titles.filter((t) => t.includes('&#60;')).length).toBeGreaterThan(5);
    for (const entry of entries) expect(text(child(entry, 'summary'))).not.toMatch(/<[a-z!/]/i);
  });

  it('/feed.json is JSON Feed 1.1 with the same posts', async () => {
    const res = await request(t.app).get('/feed.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/feed\+json/);
    const feed = JSON.parse(res.text) as Record<string, unknown> & { items: Record<string, unknown>[] };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(typeof feed.title).toBe('string');
    expect(feed.home_page_url).toBe(`${ORIGIN}/posts`);
    expect(feed.feed_url).toBe(`${ORIGIN}/feed.json`);
    expect(feed.items).toHaveLength(20);
    // JSON Feed titles are plain text: as written.
    expect(feed.items.filter((i) => String(i.title).includes('<')).length).toBeGreaterThan(5);
    for (const item of feed.items) {
      expect(typeof item.id).toBe('string');
      expect(String(item.url).startsWith(`${ORIGIN}/posts/`)).toBe(true);
      expect(item.author).toBeUndefined();
      expect((item.authors as { name: string; url: string }[])[0]?.url).toBe(`${ORIGIN}/users/feeder`);
      expectInert(String(item.content_html));
    }
  });

  it('per author and per tag', async () => {
    const byAuthor = parseAtom((await request(t.app).get('/users/feeder/feed.xml').expect(200)).text);
    expect(byAuthor.entries.length).toBe(20);
    const byTag = parseAtom((await request(t.app).get('/tags/node-js/feed.xml').expect(200)).text);
    expect(byTag.titles).toEqual(['Plain post']);
    expect(byTag.urls.every((u) => u.startsWith(ORIGIN))).toBe(true);
    await request(t.app).get('/users/nobody-here/feed.xml').expect(404);
    await request(t.app).get('/tags/NOT_A_TAG/feed.xml').expect(404);
  });

  it.each(['/feed.xml', '/feed.json', '/users/feeder/feed.xml', '/tags/xss/feed.xml'])(
    '%s carries an ETag and answers 304 to it',
    async (path) => {
      const first = await request(t.app).get(path).expect(200);
      const etag = first.headers.etag as string;
      expect(etag).toBeTruthy();
      const again = await request(t.app).get(path).set('If-None-Match', etag);
      expect(again.status).toBe(304);
      expect(again.text ?? '').toBe('');
      expect(again.headers['set-cookie']).toBeUndefined();
      // A different validator gets the whole feed.
      await request(t.app).get(path).set('If-None-Match', '"something-else"').expect(200);
    },
  );

  it('every page names the feeds in its head', async () => {
    const page = await request(t.app).get('/posts').expect(200);
    expect(page.text).toContain('<link rel="alternate" type="application/atom+xml" href="/feed.xml"');
    expect(page.text).toContain('<link rel="alternate" type="application/feed+json" href="/feed.json"');
    const tag = await request(t.app).get('/tags/xss').expect(200);
    expect(tag.text).toContain('href="/tags/xss/feed.xml"');
    const login = await request(t.app).get('/auth/login').expect(200);
    expect(login.text).toContain('href="/feed.xml"');
  });
});

/** Every URL an `<img>` of this HTML loads: its src and each srcset candidate. */
function imageUrlsIn(html: string): string[] {
  const tags = html.match(/<img\b[^>]*>/g) ?? [];
  return tags.flatMap((tag) => [
    ...[...tag.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1] ?? ''),
    ...[...tag.matchAll(/\ssrcset="([^"]*)"/g)].flatMap((m) =>
      (m[1] ?? '').split(',').map((c) => c.trim().split(/\s+/)[0] ?? ''),
    ),
  ]);
}

describe('pictures in feeds', () => {
  let imageId: string;
  let postId: string;

  beforeAll(async () => {
    const token = csrfTokenFrom((await author.get('/posts/new')).text);
    // 2000 × 1000, turned upright to 1000 × 2000: WebP variants 480 and 960 wide.
    const uploaded = await author
      .post('/images')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', token)
      .field('alt', 'A sunset')
      .attach('image', await phonePhoto(), { filename: 'sunset.jpg', contentType: 'image/jpeg' });
    expect(uploaded.status, uploaded.text).toBe(201);
    const image = uploaded.body.image as { id: string; url: string; markdown: string };
    imageId = image.id;
    postId = await createPost(author, {
      title: 'With a picture',
      body: `Look:\n\n${image.markdown}\n\nAnd another site's: ![x](https://cdn.example.net/a.png)`,
      tags: 'pictures',
      coverImage: image.url,
    });
  });

  /** The picture's URLs in an entry: absolute from PUBLIC_URL, and each one is served. */
  async function expectAbsolutePictures(html: string) {
    const urls = imageUrlsIn(html);
    const own = urls.filter((u) => u.includes(`/images/${imageId}`));
    // src, the srcset's 480 and 960 px WebP and the original as its widest candidate.
    expect(own.length, html).toBeGreaterThanOrEqual(4);
    for (const url of own) {
      expect(url.startsWith(`${ORIGIN}/images/${imageId}`), url).toBe(true);
      const served = await request(t.app).get(new URL(url).pathname);
      expect(served.status, url).toBe(200);
      expect(served.headers['content-type']).toMatch(/^image\//);
    }
    expect(own).toContain(`${ORIGIN}/images/${imageId}/480.webp`);
    // Another site's picture is left as it was.
    expect(urls).toContain('https://cdn.example.net/a.png');
    expect(html).not.toMatch(/(src|srcset)="\//);
  }

  it('Atom entries (site, author, tag) carry absolute picture URLs from PUBLIC_URL, whatever the Host', async () => {
    for (const path of ['/feed.xml', '/users/feeder/feed.xml', '/tags/pictures/feed.xml']) {
      const res = await request(t.app)
        .get(path)
        .set('Host', 'localhost')
        .set('X-Forwarded-Host', 'evil.example')
        .expect(200);
      const { entries, contents } = parseAtom(res.text);
      const i = entries.findIndex((e) => text(child(e, 'title')) === 'With a picture');
      expect(i, path).toBeGreaterThanOrEqual(0);
      await expectAbsolutePictures(contents[i] ?? '');
      expect(res.text).not.toContain('evil.example');
      // The cover as the entry's enclosure, a WebP of at most 960 px.
      const enclosure = children(entries[i], 'link').find((l) => l.attributes?.rel === 'enclosure');
      expect(enclosure?.attributes).toMatchObject({
        href: `${ORIGIN}/images/${imageId}/960.webp`,
        type: 'image/webp',
      });
    }
  });

  it('JSON Feed items carry absolute picture URLs, and the cover as `image`', async () => {
    const res = await request(t.app).get('/feed.json').set('Host', 'localhost').expect(200);
    const feed = JSON.parse(res.text) as { items: { url: string; content_html: string; image?: string }[] };
    const item = feed.items.find((i) => i.url === `${ORIGIN}/posts/${postId}`);
    if (!item) throw new Error('the post with a picture is not in /feed.json');
    await expectAbsolutePictures(item.content_html);
    expect(item.image).toBe(`${ORIGIN}/images/${imageId}/960.webp`);
    // Posts without a cover have no image.
    expect(feed.items.filter((i) => i.image !== undefined)).toHaveLength(1);
  });
});
