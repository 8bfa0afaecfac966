import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { XSS_PAYLOADS } from './xss-payloads';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
const ids: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  agent = request.agent(t.app);
  await registerJson(agent, 'attacker');
  // Two accounts: one alone would reach the per-user posting limit before the corpus is through.
  const second = request.agent(t.app);
  await registerJson(second, 'attacker2');
  for (const [i, payload] of XSS_PAYLOADS.entries()) {
    const res = await (i % 2 === 0 ? agent : second)
      .post('/posts')
      .send({ title: `${i} ${payload}`.slice(0, 200), body: `Before ${payload} after\n\n${payload}` });
    expect(res.status).toBe(201);
    ids.push(res.body.post.id);
  }
});
afterAll(() => t.close());

/** Executable markup that must not appear in what a page shows (its <title> and <main>). */
function assertInert(page: string, where: string) {
  // The one script a page may run is Folio's own, same-origin file (CSP script-src 'self'); a post page also
  // carries a JSON-LD data block, which must stay one JSON text with no markup in it.
  const scripts = page.match(/<script\b[^>]*>/gi) ?? [];
  for (const script of scripts) {
    expect(script, where).toMatch(
      /^<script (src="\/assets\/(?:folio|ux)\.[a-f0-9]{10}\.js" defer|type="application\/ld\+json")>$/,
    );
  }
  const ld = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(page)?.[1];
  if (ld !== undefined) {
    expect(ld, where).not.toMatch(/[<>]/);
    expect(() => JSON.parse(ld), where).not.toThrow();
  }
  const title = /<title>([\s\S]*?)<\/title>/.exec(page)?.[1] ?? '';
  expect(title, where).not.toMatch(/[<>"]/);
  const html = /<main[^>]*>([\s\S]*)<\/main>/.exec(page)?.[1] ?? '';
  expect(html.length, where).toBeGreaterThan(0);
  expect(html, where).not.toMatch(/<(iframe|object|embed|svg|math|style|meta|base|details|body|link|frame)\b/i);
  for (const input of html.match(/<input[^>]*>/g) ?? []) {
    expect(input, where).toMatch(/^<input type="hidden" name="(_csrf|returnTo)" value="[^"]*">$/);
  }
  // Attributes inside real tags (escaped text such as "&lt;img onerror=" is harmless and may remain).
  expect(html, where).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
  expect(html, where).not.toMatch(/<[a-z][^>]*\sstyle\s*=/i);
  expect(html, where).not.toMatch(
    /<[a-z][^>]*\s(href|src|action|srcdoc|formaction)\s*=\s*["']?\s*(javascript|data|vbscript):/i,
  );
  // The only forms are Folio's own (post actions, CSRF-protected).
  for (const action of html.matchAll(/<form[^>]*action="([^"]*)"/g))
    expect(action[1], where).toMatch(/^\/(posts|reading-list|auth)\//);
}

describe(`XSS corpus (${XSS_PAYLOADS.length} payloads)`, () => {
  it('has at least 25 payloads', () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(25);
  });

  it('no executable markup on the post pages', async () => {
    for (const id of ids) {
      const res = await agent.get(`/posts/${id}`);
      expect(res.status).toBe(200);
      assertInert(res.text, `/posts/${id}`);
    }
  });

  it('no executable markup on the list pages and the author pages', async () => {
    const pages = Math.ceil(ids.length / 10);
    for (let page = 1; page <= pages; page++) {
      for (const path of [`/posts?page=${page}`, `/users/attacker?page=${page}`]) {
        const res = await request(t.app).get(path);
        expect(res.status).toBe(200);
        assertInert(res.text, path);
      }
    }
  });

  it('safe Markdown survives: links get rel, images keep https', async () => {
    const res = await agent.post('/posts').send({
      title: 'Fine',
      body: '## Heading\n\n*em* **strong** [site](https://example.com) <mailto:me@example.com>\n\n![pic](https://example.com/p.png)\n\n> quote\n\n```\ncode <b>\n```',
    });
    const page = await agent.get(`/posts/${res.body.post.id}`);
    expect(page.text).toContain('<h2>Heading</h2>');
    expect(page.text).toContain('<a rel="nofollow ugc noopener" href="https://example.com">site</a>');
    expect(page.text).toContain('href="mailto:me@example.com"');
    expect(page.text).toContain('<img src="https://example.com/p.png" alt="pic">');
    expect(page.text).toContain('<blockquote>');
    expect(page.text).toContain('<pre><code>code &lt;b&gt;');
  });
});
