import type { Connection } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CommandLog, commandKey, withCommandMonitoring } from '../../bench/mongo-commands';
import { PAGE_VIEWS_COLLECTION } from '../../src/account/page-views';
import { recentlyWrote } from '../../src/http/shared-results';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import { connectTestDb, releaseTestDb, startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

/**
 * Signed-in GET /posts at cache speed: the list's query result is shared by every view (invalidated with the
 * page cache), so a signed-in view costs one MongoDB command, the session read. Read-your-writes holds across
 * processes: two apps on one database, each with its own caches, as two processes would be.
 */

let connection: Connection;
let a: TestApp;
let b: TestApp;
let commands: CommandLog;
const LIMITS = {
  post: { key: 'post', points: 1_000, duration: 60 },
  comment: { key: 'comment', points: 100, duration: 60 },
};

beforeAll(async () => {
  connection = await connectTestDb({ uri: withCommandMonitoring(inject('mongoUri')) });
  a = await startTestApp({ connection, env: { PAGE_CACHE_SECONDS: '60' }, writeLimits: LIMITS });
  b = await startTestApp({ connection, env: { PAGE_CACHE_SECONDS: '60' }, writeLimits: LIMITS });
  commands = new CommandLog(connection.getClient(), { keep: true });
});
afterAll(async () => {
  commands?.detach();
  if (connection) await releaseTestDb(connection);
});

async function commandsOf(send: () => Promise<request.Response>) {
  commands.reset();
  const res = await send();
  expect(res.status).toBe(200);
  // The page-view counter's once-a-second bulk write belongs to no request.
  return { res, seen: commands.commands.map(commandKey).filter((k) => k !== `update:${PAGE_VIEWS_COLLECTION}`) };
}

describe('signed-in GET /posts', () => {
  it('costs one MongoDB command (the session read) once the list is shared; a write in this process refreshes it', async () => {
    const writer = request.agent(a.app);
    await registerJson(writer, 'sharer');
    await writer.post('/posts').send({ title: 'First shared', body: 'x' }).expect(201);
    await writer.get('/posts').expect(200);
    const reader = request.agent(a.app);
    await registerJson(reader, 'shared-reader');
    await reader.get('/posts').expect(200);
    for (let i = 0; i < 3; i += 1) {
      const { res, seen } = await commandsOf(() => reader.get('/posts'));
      expect(res.text).toContain('Signed in as');
      expect(res.text).toContain('First shared');
      expect(seen).toEqual([`find:${SESSIONS_COLLECTION}`]);
    }
    // A write in this process clears the shared list with the pages: everyone sees it at once.
    await writer.post('/posts').send({ title: 'Second shared', body: 'y' }).expect(201);
    const { res } = await commandsOf(() => reader.get('/posts'));
    expect(res.text).toContain('Second shared');
  });

  it('a writer sees their own write at once on another process; others there within PAGE_CACHE_SECONDS', async () => {
    const registered = await request(a.app)
      .post('/auth/register')
      .send({ username: 'traveller', password: 'a long enough passphrase 42' })
      .expect(201);
    const cookie = (registered.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const onA = request.agent(a.app);
    onA.set('Cookie', cookie);
    const other = request.agent(a.app);
    await registerJson(other, 'bystander');
    await other.get('/posts').expect(200); // A's shared list is warm
    // The same session writes on process B: A's caches know nothing of it.
    const created = await request(b.app)
      .post('/posts')
      .set('Cookie', cookie)
      .send({ title: 'Written on B', body: 'z' })
      .expect(201);
    expect(created.body.post.title).toBe('Written on B');
    const mine = await onA.get('/posts').expect(200);
    expect(mine.text).toContain('Written on B');
    // Someone else on A may still get the shared list from before (that is the PAGE_CACHE_SECONDS contract),
    // and costs only the session read for it.
    const { res, seen } = await commandsOf(() => other.get('/posts'));
    expect(res.text).not.toContain('Written on B');
    expect(seen).toEqual([`find:${SESSIONS_COLLECTION}`]);
  });
});

describe('the read-your-writes mark', () => {
  it('covers the latest write although a burst renews it at most once a second', () => {
    const seconds = 5;
    // Marked at 0; a write at 900 ms does not renew it; the window still reaches 900 ms + 5 s.
    expect(recentlyWrote(0, 900 + seconds * 1000 - 1, seconds)).toBe(true);
    expect(recentlyWrote(0, 1_000 + seconds * 1000, seconds)).toBe(false);
    expect(recentlyWrote(undefined, 0, seconds)).toBe(false);
  });
});
