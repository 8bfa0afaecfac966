import type { Connection } from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CommandLog,
  commandKey,
  type SeenCommand,
  WRITE_COMMANDS,
  withCommandMonitoring,
} from '../../bench/mongo-commands';
import { postBody } from '../../bench/seed';
import { PAGE_VIEWS_COLLECTION } from '../../src/account/page-views';
import { postModel } from '../../src/posts/post.model';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import { listedTitles } from '../support/http';
import { connectTestDb, releaseTestDb, startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

/**
 * What each hot page costs MongoDB, counted with the driver's command monitoring on a real mongod (never
 * timed: speed is the benchmark's business, bench/run.ts). A page that starts costing more commands, or a
 * signed-in page view that starts writing its session, fails here.
 */

const POSTS = 1_000;
let connection: Connection;
let t: TestApp;
/** The same app with the page cache on (the default): what a repeated anonymous view costs. */
let cached: TestApp;
let commands: CommandLog;
let reader: ReturnType<typeof request.agent>;

beforeAll(async () => {
  connection = await connectTestDb({ uri: withCommandMonitoring(inject('mongoUri')) });
  // Counted without the page cache, so every number below is what a page costs when it is rendered.
  t = await startTestApp({ connection, env: { PAGE_CACHE_SECONDS: '0' } });
  cached = await startTestApp({ connection, env: { PAGE_CACHE_SECONDS: '60' } });
  const base = Date.now() - POSTS * 60_000;
  await postModel(connection).insertMany(
    Array.from({ length: POSTS }, (_, i) => ({
      title: `Post ${i + 1}`,
      body: postBody(i + 1),
      authorId: '000000000000000000000001',
      authorName: 'writer',
      createdAt: new Date(base + i * 60_000),
      tags: i % 2 === 0 ? ['even', 'numbers'] : ['odd'],
    })),
  );
  reader = request.agent(t.app);
  await registerJson(reader, 'reader');
  commands = new CommandLog(connection.getClient(), { keep: true });
});

afterAll(async () => {
  commands?.detach();
  if (connection) await releaseTestDb(connection);
});

/** The MongoDB commands one request sends, after the response is complete. */
async function commandsOf(send: () => Promise<request.Response>, expectStatus = 200): Promise<readonly SeenCommand[]> {
  // Earlier signed-in views are stored now, not by their background write in the middle of this count.
  await Promise.all([t.pageViews.flush(), cached.pageViews.flush()]);
  commands.reset();
  const res = await send();
  expect(res.status).toBe(expectStatus);
  return [...commands.commands];
}

const keys = (seen: readonly SeenCommand[]) => seen.map(commandKey);
const sessionWrites = (seen: readonly SeenCommand[]) =>
  seen.filter((c) => c.collection === SESSIONS_COLLECTION && WRITE_COMMANDS.has(c.name));

describe('MongoDB commands per request', () => {
  it('anonymous GET /posts: at most 2 (here one: the page, no count), and never the sessions collection', async () => {
    const seen = await commandsOf(() => request(t.app).get('/posts'));
    expect(seen.length, keys(seen).join(', ')).toBeLessThanOrEqual(2);
    expect(seen.filter((c) => c.collection === SESSIONS_COLLECTION)).toEqual([]);
  });

  it('signed-in GET /posts: 2 commands (the session, the page), no session write within the touch interval', async () => {
    // The first view after signing in may settle per-session state; from then on a reader only reads.
    await reader.get('/posts').expect(200);
    for (let view = 0; view < 3; view += 1) {
      let page = '';
      const seen = await commandsOf(async () => {
        const res = await reader.get('/posts');
        page = res.text;
        return res;
      });
      expect(page).toContain('Signed in as');
      expect(keys(seen).sort(), keys(seen).join(', ')).toEqual(['find:posts', `find:${SESSIONS_COLLECTION}`].sort());
      expect(keys(seen).filter((k) => k.endsWith(`:${SESSIONS_COLLECTION}`))).toEqual([`find:${SESSIONS_COLLECTION}`]);
      expect(sessionWrites(seen)).toEqual([]);
      // The session holds who is signed in: no user lookup on a page view.
      expect(seen.filter((c) => c.collection === 'users')).toEqual([]);
    }
  });

  it('signed-in GET /posts with the shared list fresh: 1 command per view, the session read (issue 24)', async () => {
    // The page cache's app shares one rendering of each list page with every signed-in reader: once a page
    // was read by anyone, a view costs its session read and nothing else, whoever reads and whichever page.
    const one = request.agent(cached.app);
    const two = request.agent(cached.app);
    await registerJson(one, 'shared-one');
    await registerJson(two, 'shared-two');
    const readers = [one, two];
    for (const path of ['/posts', '/posts?page=2', '/posts?page=50']) {
      await one.get(path).expect(200);
      for (const r of readers) {
        const seen = await commandsOf(() => r.get(path));
        expect(keys(seen), `${path}: ${keys(seen).join(', ')}`).toEqual([`find:${SESSIONS_COLLECTION}`]);
      }
    }
    // Proves the count can fail: a cleared page cache (any write in this process) costs the next view the list.
    cached.pageCache.clear();
    const refill = await commandsOf(() => two.get('/posts'));
    expect(keys(refill).sort()).toEqual(['find:posts', `find:${SESSIONS_COLLECTION}`].sort());
  });

  it('once the touch interval has passed, the next view writes the session exactly once', async () => {
    // Proves the no-write assertion above can fail: age the session as if the reader had been idle 2 minutes.
    const twoMinutesAgo = Date.now() - 120_000;
    await connection
      .collection(SESSIONS_COLLECTION)
      .updateMany(
        { 'session.user.username': 'reader' },
        { $set: { lastModified: new Date(twoMinutesAgo), 'session.auth.lastSeenAt': twoMinutesAgo } },
      );
    const seen = await commandsOf(() => reader.get('/posts'));
    expect(sessionWrites(seen)).toHaveLength(1);
    const after = await commandsOf(() => reader.get('/posts'));
    expect(sessionWrites(after)).toEqual([]);
  });

  it('anonymous GET /posts/:id: at most 2', async () => {
    const post = await postModel(connection).findOne({ title: 'Post 500' }, { _id: 1 }).lean();
    const seen = await commandsOf(() => request(t.app).get(`/posts/${String(post?._id)}`));
    expect(seen.length, keys(seen).join(', ')).toBeLessThanOrEqual(2);
  });

  it('signed-in GET /posts: the page itself is one find on posts (no count, no comment or tag lookups)', async () => {
    const seen = await commandsOf(() => reader.get('/posts'));
    expect(keys(seen).filter((k) => k.endsWith(':posts'))).toEqual(['find:posts']);
    expect(seen.filter((c) => c.collection === 'comments')).toEqual([]);
  });

  it('anonymous GET /posts from the page cache: none; its 304: none', async () => {
    const first = await request(cached.app).get('/posts').expect(200);
    expect(await commandsOf(() => request(cached.app).get('/posts'))).toEqual([]);
    expect(
      await commandsOf(() => request(cached.app).get('/posts').set('If-None-Match', String(first.headers.etag)), 304),
    ).toEqual([]);
  });

  it.each([
    ['/feed.xml', 'find:posts'],
    ['/feed.json', 'find:posts'],
    ['/tags/even', 'find:posts'],
    ['/tags/even/feed.xml', 'find:posts'],
  ])('anonymous GET %s: one command (%s)', async (path, key) => {
    // The page-view counters' once-a-second bulk write (of the signed-in reader above) is no part of this page.
    const seen = (await commandsOf(() => request(t.app).get(path))).filter(
      (c) => c.collection !== PAGE_VIEWS_COLLECTION,
    );
    expect(keys(seen)).toEqual([key]);
  });

  it('static files and /healthz: none', async () => {
    expect(await commandsOf(() => request(t.app).get('/healthz'))).toEqual([]);
    expect(await commandsOf(() => request(t.app).get('/css/site.css'))).toEqual([]);
  });
});

/** Fields the driver adds to a command on the wire, which `explain` does not take. */
const WIRE_FIELDS = new Set(['lsid', '$db', '$clusterTime', '$readPreference', 'txnNumber', 'apiVersion', 'signature']);

/** Every `stage` in a plan tree, whatever its shape (inputStage, inputStages, queryPlan…). */
function stagesOf(plan: unknown): string[] {
  if (Array.isArray(plan)) return plan.flatMap(stagesOf);
  if (!plan || typeof plan !== 'object') return [];
  const here = 'stage' in plan && typeof plan.stage === 'string' ? [plan.stage] : [];
  return [...here, ...Object.values(plan).flatMap(stagesOf)];
}

interface Explained {
  readonly command: string;
  readonly stages: string[];
  readonly docsExamined: number;
  readonly keysExamined: number;
}

/** Runs `explain` on the very commands a page sent, as it sent them. */
async function explainListPage(page: number, path = '/posts'): Promise<Explained[]> {
  const seen = await commandsOf(() => request(t.app).get(`${path}${path.includes('?') ? '&' : '?'}page=${page}`));
  const onPosts = seen.filter((c) => c.collection === 'posts');
  expect(onPosts.length).toBeGreaterThan(0);
  const db = connection.db;
  if (!db) throw new Error('no database');
  return Promise.all(
    onPosts.map(async (c) => {
      const sent = Object.fromEntries(Object.entries(c.command ?? {}).filter(([k]) => !WIRE_FIELDS.has(k)));
      const explained = await db.command({ explain: sent, verbosity: 'executionStats' });
      const stats = explained.executionStats as { totalDocsExamined?: number; totalKeysExamined?: number } | undefined;
      return {
        command: c.name,
        stages: stagesOf(explained.queryPlanner?.winningPlan ?? explained.stages ?? explained),
        docsExamined: stats?.totalDocsExamined ?? 0,
        keysExamined: stats?.totalKeysExamined ?? 0,
      };
    }),
  );
}

describe(`the list page's queries with ${POSTS.toLocaleString('en')} posts`, () => {
  it.each([1, 50])('page %i: an index scan, no collection scan, no in-memory sort', async (page) => {
    const explained = await explainListPage(page);
    const find = explained.find((e) => e.command === 'find');
    expect(find, JSON.stringify(explained)).toBeDefined();
    expect(find?.stages).toContain('IXSCAN');
    for (const e of explained) {
      expect(e.stages, `${e.command}: ${e.stages.join(' > ')}`).not.toContain('COLLSCAN');
      expect(e.stages, `${e.command}: ${e.stages.join(' > ')}`).not.toContain('SORT');
      // Skipped posts are passed over in the index, never fetched: a page reads its own 10 documents, plus
      // one to learn whether an older page exists.
      expect(e.docsExamined, `${e.command} examined ${e.docsExamined} documents`).toBeLessThanOrEqual(11);
    }
  });

  it.each([
    ['/tags/even', 1],
    ['/tags/even', 20],
  ])('%s page %i: an index scan, no in-memory sort, only its own documents read', async (path, page) => {
    const explained = await explainListPage(page, path);
    for (const e of explained) {
      expect(e.stages, e.stages.join(' > ')).toContain('IXSCAN');
      expect(e.stages, e.stages.join(' > ')).not.toContain('COLLSCAN');
      expect(e.stages, e.stages.join(' > ')).not.toContain('SORT');
      expect(e.docsExamined).toBeLessThanOrEqual(11);
    }
  });

  it('anonymous GET /search?q=session: the page and its count (issue 25: "N posts match"), two commands', async () => {
    const seen = (await commandsOf(() => request(t.app).get('/search?q=session'))).filter(
      (c) => c.collection !== PAGE_VIEWS_COLLECTION,
    );
    expect(keys(seen).sort()).toEqual(['aggregate:posts', 'find:posts']);
  });

  it('search runs on the text index, never a collection scan', async () => {
    const explained = await explainListPage(1, '/search?q=session');
    for (const e of explained) {
      expect(e.stages, e.stages.join(' > ')).toContain('TEXT_MATCH');
      expect(e.stages, e.stages.join(' > ')).not.toContain('COLLSCAN');
    }
  });

  it('page 50 shows the 491st to 500th newest posts', async () => {
    const res = await request(t.app).get('/posts?page=50').expect(200);
    const titles = listedTitles(res.text);
    expect(titles).toEqual(Array.from({ length: 10 }, (_, i) => `Post ${POSTS - 490 - i}`));
  });
});
