import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Element, xml2js } from 'xml-js';
import { jsonForScript } from '../../src/seo/json-ld';
import { canonicalUrl, shorten } from '../../src/seo/seo';
import { DEFAULT_SITE_DESCRIPTION } from '../../src/seo/site';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

const ORIGIN = 'https://blog.example.com';
const HOSTILE_TITLE = '</script><script>alert(1)</script><!-- & "quotes"';
let t: TestApp;
let author: ReturnType<typeof request.agent>;
let postId = '';
let hostileId = '';
let draftId = '';

beforeAll(async () => {
  t = await startTestApp({
    env: { PUBLIC_URL: ORIGIN },
    writeLimits: {
      post: { key: 'post', points: 1_000, duration: 60 },
      comment: { key: 'comment', points: 10, duration: 60 },
    },
  });
  author = request.agent(t.app);
  await registerJson(author, 'seo-writer');
  const made = async (fields: Record<string, string>) => {
    const res = await author.post('/posts').send(fields);
    expect(res.status).toBe(201);
    return String(res.body.post.id);
  };
  postId = await made({
    title: 'Caching pages',
    body: 'A **first** paragraph about caching.\n\nMore.',
    tags: 'perf, node',
  });
  hostileId = await made({ title: HOSTILE_TITLE, body: 'Body text', tags: 'xss' });
  draftId = await made({ title: 'Secret draft', body: 'x', status: 'draft', tags: 'hidden-tag' });
});
afterAll(() => t.close());

/** Every `<meta>` of a page by its name or property, read attribute by attribute. */
function metaOf(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const tag of html.match(/<meta\s[^>]*>/g) ?? []) {
    const attrs = Object.fromEntries([...tag.matchAll(/([a-z:-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const key = attrs.name ?? attrs.property;
    if (key && attrs.content !== undefined) found.set(key, attrs.content);
  }
  return found;
}
const canonicalOf = (html: string) => /<link rel="canonical" href="([^"]*)">/.exec(html)?.[1];
const unescapeHtml = (s: string) =>
  s
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('meta tags on public pages', () => {
  it('lists carry the site description, an absolute canonical URL from PUBLIC_URL (never Host) and OpenGraph', async () => {
    for (const [path, canonical] of [
      ['/posts', `${ORIGIN}/posts`],
      ['/posts?page=2&utm_source=x', `${ORIGIN}/posts?page=2`],
      ['/posts?page=1', `${ORIGIN}/posts`],
      ['/tags/perf', `${ORIGIN}/tags/perf`],
      ['/users/seo-writer', `${ORIGIN}/users/seo-writer`],
      ['/search?q=caching', `${ORIGIN}/search?q=caching`],
      // Canonical URLs are remembered per path and content parameters (seoLocals): each its own.
      ['/search?q=sessions', `${ORIGIN}/search?q=sessions`],
      ['/posts?page=3', `${ORIGIN}/posts?page=3`],
      ['/posts?utm_source=y', `${ORIGIN}/posts`],
      ['/auth/login', `${ORIGIN}/auth/login`],
      ['/auth/register', `${ORIGIN}/auth/register`],
    ] as const) {
      const res = await request(t.app).get(path).set('Host', 'localhost').expect(200);
      const meta = metaOf(res.text);
      expect(canonicalOf(res.text), path).toBe(canonical);
      expect(meta.get('description'), path).toBe(DEFAULT_SITE_DESCRIPTION);
      expect(meta.get('og:description'), path).toBe(DEFAULT_SITE_DESCRIPTION);
      expect(meta.get('og:url'), path).toBe(canonical);
      expect(meta.get('og:type'), path).toBe('website');
      expect(meta.get('og:site_name'), path).toBe('Folio');
      expect(meta.get('og:title'), path).toBeTruthy();
      expect(meta.get('twitter:card'), path).toBe('summary');
      expect(meta.get('twitter:title'), path).toBe(meta.get('og:title'));
      expect(meta.has('og:image'), path).toBe(false);
      expect(res.text, path).not.toContain('application/ld+json');
    }
  });

  it('a post has its excerpt as description, type article and JSON-LD BlogPosting', async () => {
    const res = await request(t.app).get(`/posts/${postId}`).expect(200);
    const meta = metaOf(res.text);
    expect(meta.get('description')).toBe('A first paragraph about caching. More.');
    expect(meta.get('og:title')).toBe('Caching pages');
    expect(meta.get('og:type')).toBe('article');
    expect(meta.get('og:url')).toBe(`${ORIGIN}/posts/${postId}`);
    expect(canonicalOf(res.text)).toBe(`${ORIGIN}/posts/${postId}`);
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(res.text)?.[1] ?? 'null');
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'BlogPosting',
      headline: 'Caching pages',
      url: `${ORIGIN}/posts/${postId}`,
      author: { '@type': 'Person', name: 'seo-writer', url: `${ORIGIN}/users/seo-writer` },
      keywords: 'perf, node',
    });
    expect(Date.parse(ld.datePublished)).not.toBeNaN();
  });

  it('a hostile title cannot break out of the JSON-LD script element', async () => {
    const res = await request(t.app).get(`/posts/${hostileId}`).expect(200);
    // The first `</script>` after the block's start must be its own end: the JSON parses whole.
    const block = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(res.text)?.[1] ?? '';
    expect(block).not.toMatch(/[<>]/);
    expect(JSON.parse(block).headline).toBe(HOSTILE_TITLE);
    expect(res.text).not.toContain('<script>alert(1)');
    expect(unescapeHtml(metaOf(res.text).get('og:title') ?? '')).toBe(HOSTILE_TITLE);
    expect(jsonForScript({ s: '</script>\u2028&' })).toBe('{"s":"\\u003c/script\\u003e\\u2028\\u0026"}');
  });

  it('shortens long descriptions at a word', () => {
    const long = `${'word '.repeat(60)}end`;
    const short = shorten(long);
    expect(short.length).toBeLessThanOrEqual(160);
    expect(short.endsWith('word…')).toBe(true);
    expect(canonicalUrl(ORIGIN, '/search', { q: ' a b ', page: 'x' })).toBe(`${ORIGIN}/search?q=a+b`);
  });
});

const children = (el: Element | undefined, name: string): Element[] =>
  (el?.elements ?? []).filter((c) => c.type === 'element' && c.name === name);
const text = (el: Element | undefined): string =>
  (el?.elements ?? []).map((c) => (c.type === 'text' ? String(c.text ?? '') : '')).join('');

describe('GET /sitemap.xml', () => {
  it('lists every public post with lastmod, every tag and author page, and nothing private; well-formed', async () => {
    const res = await request(t.app).get('/sitemap.xml').set('Host', 'localhost').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    const doc = xml2js(res.text, { compact: false }) as Element;
    const urlset = children(doc, 'urlset')[0];
    expect(urlset?.attributes?.xmlns).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const urls = children(urlset, 'url').map((u) => ({
      loc: text(children(u, 'loc')[0]),
      lastmod: text(children(u, 'lastmod')[0]),
    }));
    const locs = urls.map((u) => u.loc);
    expect(locs).toEqual(
      expect.arrayContaining([
        `${ORIGIN}/posts`,
        `${ORIGIN}/posts/${postId}`,
        `${ORIGIN}/posts/${hostileId}`,
        `${ORIGIN}/tags/perf`,
        `${ORIGIN}/tags/node`,
        `${ORIGIN}/tags/xss`,
        `${ORIGIN}/users/seo-writer`,
      ]),
    );
    expect(locs.some((l) => l.includes(draftId) || l.includes('hidden-tag'))).toBe(false);
    for (const u of urls.filter((x) => x.loc.includes('/posts/'))) expect(Date.parse(u.lastmod)).not.toBeNaN();
    expect(locs.every((l) => l.startsWith(`${ORIGIN}/`))).toBe(true);
  });
});

describe('GET /robots.txt', () => {
  it('allows public pages, disallows the private areas and names the sitemap', async () => {
    const res = await request(t.app).get('/robots.txt').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const lines = res.text.split('\n');
    expect(lines).toContain('User-agent: *');
    expect(lines).toContain('Allow: /');
    for (const area of ['/account', '/admin', '/auth', '/dev']) expect(lines).toContain(`Disallow: ${area}`);
    expect(lines).toContain('Allow: /auth/login');
    expect(lines).toContain('Allow: /auth/register');
    expect(lines).toContain(`Sitemap: ${ORIGIN}/sitemap.xml`);
  });
});
