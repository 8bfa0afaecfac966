import type { DestinationStream } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { csrfTokenFrom } from '../support/http';
import type { LogLine } from '../support/process-logs';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { smallImage } from './image-fixtures';

/**
 * A public picture is answered before the request log, compression and the session (src/app.ts): the least
 * work per request for the requests a page with pictures makes most. Everything else about pictures — an
 * unknown id, a picture not public yet — still goes the ordinary way: logged, with the session.
 */

type Agent = ReturnType<typeof request.agent>;
const output: string[] = [];
const memory: DestinationStream = { write: (line: string) => void output.push(line) };
let t: TestApp;
let owner: Agent;

beforeAll(async () => {
  t = await startTestApp({
    env: { LOG_LEVEL: 'info' },
    logger: createLogger({ logLevel: 'info', env: 'production' }, memory),
  });
  owner = request.agent(t.app);
  await registerJson(owner, 'hotpath');
});
afterAll(() => t.close());

const loggedIds = () =>
  output.map((line) => ((JSON.parse(line) as LogLine).req as { id?: string } | undefined)?.id).filter(Boolean);

/** Waits for a request's log line (pino writes it when the response finishes). */
async function loggedLine(id: string): Promise<void> {
  for (let i = 0; i < 50 && !loggedIds().includes(id); i++) await new Promise((r) => setTimeout(r, 10));
  expect(loggedIds()).toContain(id);
}

describe('a public picture’s path', () => {
  it('is answered unlogged, uncompressed, sessionless but with the security headers; others are logged', async () => {
    const token = csrfTokenFrom((await owner.get('/posts/new')).text);
    const uploaded = await owner
      .post('/images')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', token)
      .field('alt', 'A field')
      .attach('image', await smallImage('png', 600, 400), { filename: 'field.png', contentType: 'image/png' });
    expect(uploaded.status, uploaded.text).toBe(201);
    const url = (uploaded.body.image as { url: string }).url;
    const markdown = (uploaded.body.image as { markdown: string }).markdown;

    // Not public yet: the owner's request and everyone else's 404 go the ordinary way, logged.
    const mine = await owner.get(url).set('X-Request-Id', 'private-own-1');
    expect(mine.status).toBe(200);
    expect(mine.headers['cache-control']).toBe('private, no-store');
    expect(mine.headers['x-request-id']).toBe('private-own-1');
    const hidden = await request(t.app).get(`${url}/480.webp`).set('X-Request-Id', 'private-other-1');
    expect(hidden.status).toBe(404);
    const unknown = await request(t.app)
      .get(`/images/${'0'.repeat(32)}/480.webp`)
      .set('X-Request-Id', 'unknown-1');
    expect(unknown.status).toBe(404);
    const badName = await request(t.app).get(`${url}/481.png`).set('X-Request-Id', 'bad-name-1');
    expect(badName.status).toBe(404);
    for (const id of ['private-own-1', 'private-other-1', 'unknown-1', 'bad-name-1']) await loggedLine(id);

    const published = await owner
      .post('/posts')
      .type('form')
      .send({ title: 'A field', body: `Look:\n\n${markdown}`, status: 'published', _csrf: token });
    expect(published.status).toBe(303);

    for (const agent of [request(t.app), owner]) {
      const hit = await agent
        .get(`${url}/480.webp`)
        .set('X-Request-Id', 'public-hit-1')
        .set('Accept-Encoding', 'gzip, deflate, br');
      expect(hit.status).toBe(200);
      expect(hit.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      // Not through the request logger, compression or the session.
      expect(hit.headers['x-request-id']).toBeUndefined();
      expect(hit.headers['content-encoding']).toBeUndefined();
      expect(hit.headers.vary).toBeUndefined();
      expect(hit.headers['set-cookie']).toBeUndefined();
      // Still behind the host check and with the security headers.
      expect(hit.headers['x-content-type-options']).toBe('nosniff');
      expect(hit.headers['content-security-policy']).toContain("default-src 'self'");
    }
    expect((await request(t.app).get(`${url}/480.webp`).set('Host', 'evil.example')).status).toBe(400);

    // A request logged after the hits is in the log; the hits are not.
    await request(t.app).get('/posts').set('X-Request-Id', 'after-1');
    await loggedLine('after-1');
    expect(loggedIds()).not.toContain('public-hit-1');
  });
});
