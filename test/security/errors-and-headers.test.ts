import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type session from 'express-session';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import { viewsDir } from '../../src/paths';
import { FolioSessionStore } from '../../src/session/session-store';
import { csrfTokenFrom, PASSWORD, signedCookieFor } from '../support/http';
import { startTestApp, type TestApp, testConfig } from '../support/test-app';
import { loginJson, registerJson } from '../support/users';

const SECRET_DETAIL = 'internal detail: the store exploded at line 42';

/** A session store that fails like a broken dependency would: the way to make a route throw in production. */
class ExplodingStore extends FolioSessionStore {
  constructor() {
    super(t.connection, { ttlSeconds: 60, touchAfterSeconds: 60 });
  }
  override get(_sid: string, cb: (err: unknown) => void): void {
    cb(new Error(SECRET_DETAIL));
  }
  override set(_sid: string, _s: session.SessionData, cb?: (err?: unknown) => void): void {
    cb?.();
  }
  override destroy(_sid: string, cb?: (err?: unknown) => void): void {
    cb?.();
  }
}

const COOKIE = `folio.sid=${signedCookieFor('some-session-id')}`;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function productionApp() {
  const config = testConfig({ NODE_ENV: 'production', MONGODB_URI: 'mongodb://127.0.0.1/unused' });
  return createApp({
    config,
    connection: t.connection,
    logger: createLogger(config),
    sessionStore: new ExplodingStore(),
  });
}

describe('errors', () => {
  it('production: a failing route → 500 page with no stack and no internal message (HTML and JSON)', async () => {
    const app = productionApp();
    const prodCookie = `__Host-${COOKIE}`;
    const html = await request(app).get('/posts').set('Cookie', prodCookie);
    expect(html.status).toBe(500);
    expect(html.text).toContain('Something went wrong');
    expect(html.text).not.toContain(SECRET_DETAIL);
    expect(html.text).not.toMatch(/at .*\.ts:\d+/);

    const json = await request(app).get('/posts').set('Cookie', prodCookie).set('Accept', 'application/json');
    expect(json.status).toBe(500);
    expect(json.body).toEqual({ error: 'Something went wrong' });
  });

  it('development shows the stack to the developer', async () => {
    const config = testConfig();
    const app = createApp({
      config,
      connection: t.connection,
      logger: createLogger(config),
      sessionStore: new ExplodingStore(),
    });
    const html = await request(app).get('/posts').set('Cookie', COOKIE);
    expect(html.status).toBe(500);
    expect(html.text).toContain(SECRET_DETAIL);
  });

  it('unknown paths → 404 page (HTML) and {"error"} (JSON)', async () => {
    const html = await request(t.app).get('/no/such/page');
    expect(html.status).toBe(404);
    expect(html.text).toContain('<h1 id="page-title">Page not found</h1>');
    const json = await request(t.app).get('/no/such/page').set('Accept', 'application/json');
    expect(json.status).toBe(404);
    expect(json.body).toEqual({ error: 'Page not found' });
  });
});

describe('security headers', () => {
  it('every page carries the CSP and the other headers, and no X-Powered-By', async () => {
    const agent = request.agent(t.app);
    await registerJson(agent, 'kim');
    const token = csrfTokenFrom((await agent.get('/posts/new')).text);
    const created = await agent.post('/posts').type('form').send({ title: 'T', body: 'B', _csrf: token });
    const paths = [
      '/posts',
      '/posts/new',
      created.headers.location as string,
      '/auth/login',
      '/auth/register',
      '/auth/logout',
      '/nope',
    ];
    for (const p of paths) {
      for (const client of [agent, request(t.app)]) {
        const res = await client.get(p);
        const csp = res.headers['content-security-policy'] as string;
        expect(csp, p).toContain("script-src 'self'");
        expect(csp).toContain("style-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).not.toContain('unsafe-inline');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('same-origin');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    }
    await loginJson(request.agent(t.app), 'kim', PASSWORD);
  });

  it('no page view has an inline script, an inline style or an inline event handler', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        // Mail is read in mail clients, which need inline styles and run no script; the CSP is for pages.
        if (full === path.join(viewsDir, 'mail')) continue;
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith('.ejs')) files.push(full);
      }
    };
    walk(viewsDir);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // A JSON-LD data block is not a script the browser runs (src/seo/json-ld.ts makes it inert text).
      expect(text, file).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/ld\+json")[^>]*>/i);
      expect(text, file).not.toMatch(/\sstyle=/i);
      expect(text, file).not.toMatch(/<style/i);
      expect(text, file).not.toMatch(/\son[a-z]+=/i);
    }
  });
});

describe('static files', () => {
  it('pages link the stylesheet by content hash; production caches it for a year, immutable', async () => {
    const page = await request(t.app).get('/posts');
    const href = /<link rel="stylesheet" href="(\/assets\/site\.[a-f0-9]{10}\.css)">/.exec(page.text)?.[1];
    expect(href).toBeDefined();
    const config = testConfig({ NODE_ENV: 'production', MONGODB_URI: 'mongodb://127.0.0.1/unused' });
    const prod = createApp({ config, connection: t.connection, logger: createLogger(config) });
    const css = await request(prod).get(href as string);
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers['set-cookie']).toBeUndefined();
  });
});
