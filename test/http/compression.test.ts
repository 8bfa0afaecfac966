import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { type Compressor, chooseEncoding, compressOnce, type Encoding } from '../../src/http/compress';
import { PageCache } from '../../src/http/page-cache';
import { createLogger } from '../../src/logger';
import { CACHEABLE_PAGES } from '../../src/services';
import { connectTestDb, releaseTestDb, testConfig } from '../support/test-app';
import { registerJson } from '../support/users';

let connection: Connection;
let server: http.Server;
let base = '';
const calls: Encoding[] = [];
const counting: Compressor = (body, encoding) => {
  calls.push(encoding);
  return compressOnce(body, encoding);
};
let pageCache: PageCache;

beforeAll(async () => {
  connection = await connectTestDb();
  const config = testConfig({ PAGE_CACHE_SECONDS: '300' });
  pageCache = new PageCache({
    seconds: 300,
    cookieName: config.session.cookieName,
    compress: counting,
    cacheable: CACHEABLE_PAGES,
  });
  const app = createApp({
    config,
    connection,
    logger: createLogger(config),
    pageCache,
    writeLimits: {
      post: { key: 'post', points: 1_000, duration: 60 },
      comment: { key: 'comment', points: 10, duration: 60 },
    },
  });
  const author = request.agent(app);
  await registerJson(author, 'squeezer');
  for (let i = 0; i < 12; i += 1) {
    const res = await author.post('/posts').send({
      title: `Post number ${i}`,
      body: `Words about compression, again and again. ${'Lorem ipsum. '.repeat(20)}`,
    });
    expect(res.status).toBe(201);
  }
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await releaseTestDb(connection);
});

interface Raw {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The bytes as they came over the wire. */
  readonly wire: Buffer;
  /** The bytes after undoing Content-Encoding. */
  readonly body: Buffer;
}

/** node:http, not supertest: supertest would decompress before the test could see the encoding. */
function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const wire = Buffer.concat(chunks);
          const enc = res.headers['content-encoding'];
          const body = enc === 'br' ? zlib.brotliDecompressSync(wire) : enc === 'gzip' ? zlib.gunzipSync(wire) : wire;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, wire, body });
        });
      })
      .on('error', reject);
  });
}

describe('compression', () => {
  it('a cached page decompresses to the same bytes, and is compressed once per encoding however often it is served', async () => {
    pageCache.clear();
    calls.length = 0;
    const plain = await get('/posts'); // miss: rendered and kept
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(2_000);
    for (const encoding of ['br', 'gzip'] as const) {
      for (let i = 0; i < 5; i += 1) {
        const res = await get('/posts', { 'Accept-Encoding': encoding === 'br' ? 'gzip, deflate, br' : 'gzip' });
        expect(res.headers['x-page-cache']).toBe('hit');
        expect(res.headers['content-encoding']).toBe(encoding);
        expect(res.headers.vary).toMatch(/Accept-Encoding/i);
        expect(Number(res.headers['content-length'])).toBe(res.wire.length);
        expect(res.wire.length).toBeLessThan(plain.body.length / 3);
        expect(res.body.equals(plain.body)).toBe(true);
      }
    }
    expect(calls).toEqual(['br', 'gzip']);
    const identity = await get('/posts', { 'Accept-Encoding': 'identity' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.equals(plain.body)).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('a page rendered live (cache miss) is compressed too, to the same bytes', async () => {
    pageCache.clear();
    const br = await get('/posts?page=1', { 'Accept-Encoding': 'br' });
    expect(br.headers['x-page-cache']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    const plain = await get('/posts?page=1');
    expect(br.body.equals(plain.body)).toBe(true);
  });

  it('JSON, XML and the stylesheet and scripts are compressed as the browser accepts', async () => {
    const html = (await get('/posts')).body.toString();
    const assets = [...html.matchAll(/(?:href|src)="(\/[^"]+\.(?:css|js)[^"]*)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(2);
    const paths: Array<[string, Record<string, string>]> = [
      ['/posts', { Accept: 'application/json' }],
      ['/feed.xml', {}],
      ['/feed.json', {}],
      ['/sitemap.xml', {}],
      ...assets.map((a): [string, Record<string, string>] => [a, {}]),
    ];
    for (const [path, headers] of paths) {
      pageCache.clear();
      const plain = await get(path, headers);
      expect(plain.status, path).toBe(200);
      for (const encoding of ['br', 'gzip'] as const) {
        pageCache.clear();
        const res = await get(path, { ...headers, 'Accept-Encoding': encoding });
        expect(res.headers['content-encoding'], path).toBe(encoding);
        expect(res.headers.vary, path).toMatch(/Accept-Encoding/i);
        expect(res.body.equals(plain.body), path).toBe(true);
      }
    }
  });

  it('chooses br over gzip whatever the order, and honours q=0', () => {
    const req = (value: string) => ({ headers: { 'accept-encoding': value } }) as never;
    expect(chooseEncoding(req('gzip, deflate, br, zstd'))).toBe('br');
    expect(chooseEncoding(req('gzip, br;q=0'))).toBe('gzip');
    expect(chooseEncoding(req('deflate'))).toBeUndefined();
    expect(chooseEncoding(req('*'))).toBe('br');
    expect(chooseEncoding(req('identity'))).toBeUndefined();
  });
});
