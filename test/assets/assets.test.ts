import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { transformSync } from 'esbuild';
import type { Response as SuperagentResponse } from 'superagent';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetSet, loadAssets, readBuiltAssets } from '../../src/assets/assets';
import { writeAssets } from '../../src/assets/build-cli';
import { purgeCss } from '../../src/assets/css-purge';
import { publicDir } from '../../src/paths';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const linked = (html: string) =>
  [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '').filter(Boolean);

describe('built CSS and JS', () => {
  it('pages link minified assets by content hash, the login page its passkey scripts too; no ?v= left', async () => {
    const posts = await request(t.app).get('/posts').expect(200);
    expect(linked(posts.text).map((u) => u.replace(/\.[a-f0-9]{10}\./, '.*.'))).toEqual([
      '/assets/site.*.css',
      '/assets/folio.*.js',
      '/assets/ux.*.js',
    ]);
    const login = await request(t.app).get('/auth/login').expect(200);
    const urls = linked(login.text);
    expect(urls.some((u) => /^\/assets\/simplewebauthn-browser\.[a-f0-9]{10}\.js$/.test(u))).toBe(true);
    expect(urls.some((u) => /^\/assets\/passkeys\.[a-f0-9]{10}\.js$/.test(u))).toBe(true);
    expect(posts.text + login.text).not.toMatch(/\?v=/);
  });

  it('each is served immutable for a year, named by the hash of its bytes, smaller than its source', async () => {
    const assets = loadAssets();
    const sources: Record<string, string> = {
      'css/site.css': readFileSync(path.join(publicDir, 'css', 'site.css'), 'utf8'),
      'js/folio.js': readFileSync(path.join(publicDir, 'js', 'folio.js'), 'utf8'),
      'js/passkeys.js': readFileSync(path.join(publicDir, 'js', 'passkeys.js'), 'utf8'),
    };
    for (const asset of assets.list) {
      const res = await request(t.app).get(asset.url).buffer(true).parse(rawBody).expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toBe(asset.contentType);
      expect(res.headers['set-cookie']).toBeUndefined();
      const body = res.body as Buffer;
      expect(body.equals(asset.body)).toBe(true);
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
      expect(asset.url).toContain(`.${hash}.`);
      const source = sources[asset.name];
      if (source !== undefined) expect(body.length, asset.name).toBeLessThan(source.length * 0.8);
      // Still valid CSS / JS: esbuild parses the output again.
      expect(() => transformSync(body.toString(), { loader: asset.url.endsWith('.css') ? 'css' : 'js' })).not.toThrow();
      await request(t.app).get(asset.url).set('If-None-Match', String(res.headers.etag)).expect(304);
    }
    await request(t.app).get('/assets/site.0000000000.css').expect(404);
  });

  it('is served compressed as the browser accepts, decompressing to the same bytes', async () => {
    const asset = loadAssets().list[0];
    if (!asset) throw new Error('no assets');
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const [encoding, undo] of [
        ['br', zlib.brotliDecompressSync],
        ['gzip', zlib.gunzipSync],
      ] as const) {
        // node:http, not supertest: supertest would undo the encoding before the test could see it.
        const res = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          http
            .get(`http://127.0.0.1:${port}${asset.url}`, { headers: { 'Accept-Encoding': encoding } }, (r) => {
              const chunks: Buffer[] = [];
              r.on('data', (c: Buffer) => chunks.push(c));
              r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
            })
            .on('error', reject);
        });
        expect(res.headers['content-encoding']).toBe(encoding);
        expect(res.headers.vary).toMatch(/Accept-Encoding/);
        expect(res.body.length).toBeLessThan(asset.body.length / 2);
        expect(undo(res.body).equals(asset.body)).toBe(true);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps every class the views use, drops the ones nothing uses', () => {
    const css =
      loadAssets()
        .list.find((a) => a.name === 'css/site.css')
        ?.body.toString() ?? '';
    for (const cls of ['site-header', 'post-list', 'flash--success', 'flash--error', 'visually-hidden']) {
      expect(css, cls).toContain(`.${cls}`);
    }
    expect(purgeCss('.a{x:1}.b,.c{y:2}@media (x){.d{z:3}.a{w:4}}', 'class="a c"')).toBe(
      '.a{x:1}\n.c{y:2}\n@media (x){.a{w:4}\n}\n',
    );
    expect(purgeCss('.flash--info{x:1}.gone{y:1}', 'class="flash--<%= kind %>"')).toBe('.flash--info{x:1}\n');
  });

  it('npm run build writes the files and a manifest that the built server serves as they are', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'folio-assets-'));
    try {
      writeAssets(dir);
      const built = readBuiltAssets(dir);
      expect(built?.map((a) => a.url).sort()).toEqual(
        loadAssets()
          .list.map((a) => a.url)
          .sort(),
      );
      const set = new AssetSet(built ?? []);
      expect(set.url('css/site.css')).toBe(loadAssets().url('css/site.css'));
      expect(() => set.url('css/nope.css')).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** supertest's parser that keeps the bytes (it would otherwise decode text, and decompress encoded bodies). */
function rawBody(res: SuperagentResponse, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
