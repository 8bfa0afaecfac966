import { HtmlValidate } from 'html-validate';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postModel } from '../../src/posts/post.model';
import { highlight, searchTerms } from '../../src/search/highlight';
import { createPost } from '../posts/blog-app';
import { csrfTokenFrom, PASSWORD } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

/** Issue 25 — finding things (subscribe, search count and marks), the login pause, one vocabulary. */

const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
async function expectValid(html: string) {
  const report = await validator.validateString(html);
  const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} line ${m.line}: ${m.message}`));
  expect(messages, messages.join('\n')).toEqual([]);
}

let t: TestApp;
let writer: ReturnType<typeof request.agent>;
beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_URL: 'https://folio.example' } });
  writer = request.agent(t.app);
  await registerJson(writer, 'finder');
});
afterAll(() => t.close());
const anon = () => request(t.app);

describe('subscribe', () => {
  it('every page’s footer links to /subscribe, which gives the feed addresses (from PUBLIC_URL) to copy', async () => {
    const home = await anon().get('/posts').expect(200);
    expect(home.text).toContain('<a href="/subscribe">Subscribe</a>');
    const page = await anon().get('/subscribe').set('Host', 'evil.example:80').expect(400);
    expect(page.text).not.toContain('evil.example/feed');
    const ok = await anon().get('/subscribe?author=finder&tag=cookies').expect(200);
    await expectValid(ok.text);
    for (const url of [
      'https://folio.example/feed.xml',
      'https://folio.example/feed.json',
      'https://folio.example/users/finder/feed.xml',
      'https://folio.example/tags/cookies/feed.xml',
    ]) {
      expect(ok.text).toContain(`value="${url}" readonly`);
    }
    // Anything else in the query is ignored, not echoed.
    const odd = await anon().get('/subscribe?author=%3Cscript%3E&tag=..%2F').expect(200);
    expect(odd.text).not.toContain('&lt;script');
    expect(odd.text).not.toContain('/tags/../');
    // The author and tag pages' links lead to the explainer, not to raw XML.
    expect((await anon().get('/users/finder')).text).toContain('<a href="/subscribe?author=finder">Subscribe</a>');
  });
});

describe('search', () => {
  it('shows how many posts match and marks the searched words, escaped', async () => {
    for (let i = 0; i < 12; i++) {
      await createPost(writer, {
        title: `Biscuit ${i}`,
        body: `Biscuits <b>and</b> cookies, batch ${i}. Cookie crumbs.`,
      });
    }
    const page = await anon().get('/search?q=cookie').expect(200);
    expect(page.text).toContain('<h2 class="search-count">12 posts match</h2>');
    expect(page.text).toContain('<mark>cookies</mark>');
    expect(page.text).toContain('<mark>Cookie</mark> crumbs');
    expect(page.text).not.toContain('<b>and</b>');
    await expectValid(page.text);
    const json = await anon().get('/search?q=cookie').set('Accept', 'application/json');
    expect(json.body.total).toBe(12);
    expect((await anon().get('/search?q=cookie&page=2')).text).toContain('12 posts match · page 2');
  });

  it('highlight escapes everything and marks only word starts', () => {
    expect(highlight('<img src=x onerror=alert(1)> cookie', searchTerms('cookie onerror'))).toBe(
      '&lt;img src=x <mark>onerror</mark>=alert(1)&gt; <mark>cookie</mark>',
    );
    expect(highlight('unmarked precookie', ['cookie'])).toBe('unmarked precookie');
    expect(searchTerms('a "b" (c.*) dd ee')).toEqual(['dd', 'ee']);
    expect(highlight('x (c.*) y', searchTerms('(c.*)'))).toBe('x (c.*) y');
  });
});

describe('the login pause', () => {
  it('says when it reopens, keeps the passkey way open, and has no live password button', async () => {
    await registerJson(request.agent(t.app), 'paused');
    let page: request.Response | undefined;
    for (let i = 0; i < 6; i++) {
      page = await anon().post('/auth/login').type('form').send({ username: 'paused', password: 'wrong-guess-here' });
    }
    expect(page?.status).toBe(429);
    const html = page?.text ?? '';
    expect(html).toMatch(/Signing in with a password reopens at <time datetime="[^"]+">\d{2}:\d{2} UTC<\/time>/);
    expect(html).toMatch(
      /<button type="submit" class="button" disabled aria-describedby="login-paused-hint" data-reopens-at="[^"]+">Sign in<\/button>/,
    );
    expect(html).toContain('if this account has a passkey, signing in with it works now');
    await expectValid(html);
  });
});

describe('one vocabulary', () => {
  it('"Sign in" and "Sign out" everywhere people read them; the JSON contract keeps its words', async () => {
    const login = await anon().get('/auth/login').expect(200);
    expect(login.text).toContain('<h1 id="page-title">Sign in</h1>');
    expect(login.text).toContain('<title>Sign in · Folio</title>');
    for (const path of ['/posts', '/auth/login', '/auth/register', '/auth/forgot']) {
      expect((await anon().get(path)).text, path).not.toMatch(/Log in|Log out|log in\b/);
    }
    expect((await writer.get('/posts')).text).toContain('>Sign out</button>');
    const json = await anon().post('/auth/login').send({ username: 'finder', password: PASSWORD });
    expect(json.body).toEqual({ message: 'Logged in' });
  });

  it('"Settings" opens a settings page; the page count is said plainly', async () => {
    const home = await writer.get('/posts');
    expect(home.text).toContain('<a class="account-menu__link" href="/account/settings">Settings</a>');
    const settings = await writer.get('/account/settings').expect(200);
    await expectValid(settings.text);
    expect(settings.text).toContain('<h1 class="page-title">Settings</h1>');
    expect(settings.text).toContain('Authenticator codes are <strong>off</strong>');
    expect(settings.text).toContain('<strong>UTC</strong>');
    const devices = await writer.get('/account/sessions');
    expect(devices.text).toMatch(
      /Pages viewed on this device since you signed in: <strong><span data-testid="views">\d+<\/span><\/strong>/,
    );
    expect(devices.text).not.toContain('You have opened');
    expect((await anon().get('/account/settings')).status).toBe(303);
  });

  it('a scheduled post that was never public offers "Cancel the schedule", not "Unpublish"', async () => {
    const token = csrfTokenFrom((await writer.get('/posts/new')).text);
    const res = await writer
      .post('/posts')
      .type('form')
      .send({
        _csrf: token,
        title: 'Later',
        body: 'Soon.',
        status: 'published',
        publishAt: new Date(Date.now() + 86_400_000).toISOString().slice(0, 16),
      });
    const id = (res.headers.location as string).split('/').pop() as string;
    const edit = await writer.get(`/posts/${id}/edit`).expect(200);
    expect(edit.text).toContain('Cancel the schedule (back to draft)');
    expect(edit.text).not.toContain('Unpublish');
    const live = await createPost(writer, { title: 'Now', body: 'Out.' });
    expect((await writer.get(`/posts/${live}/edit`)).text).toContain('Unpublish (back to draft)');
    expect(await postModel(t.connection).countDocuments({ title: 'Later', status: 'published' })).toBe(1);
  });
});
