import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  REFERENCE_COOKIE_NAME,
  REFERENCE_SESSIONS_COLLECTION,
  REFERENCE_USER,
  REFERENCE_USERS_COLLECTION,
} from '../../bench/reference/reference';
import type { ScenarioResult } from '../../bench/report';
import { judgeTargets } from '../../bench/report';
import { HAND_WRITTEN_SCENARIO, SCENARIOS, selectScenarios, TUTORIAL_SCENARIO } from '../../bench/scenarios';
import { signInToReference } from '../../bench/seed';
import { type ServerProcess, startServerProcess } from '../../bench/server-process';
import { postModel } from '../../src/posts/post.model';
import { withCatalogLock } from '../support/db-lock';
import { connectTestDb, releaseTestDb } from '../support/test-app';

/**
 * The benchmark's reference points (bench/reference/), as `npm run bench` starts them: their own processes on
 * the database Folio's posts are in. Each must list the same page of posts as Folio's front page, signed in,
 * at the MongoDB cost it is meant to have (the tutorial: session read, posts, the store's touch; the
 * hand-written page: the two reads), or the ratios the benchmark prints compare unequal work.
 */

let connection: Connection;
const servers: Partial<Record<'tutorial' | 'hand-written', ServerProcess>> = {};
let cookie: string;

const listed = (html: string) =>
  [...html.matchAll(/<h2><a href="\/posts\/[a-f0-9]{24}">([^<]+)<\/a><\/h2>/g)].map((m) => m[1]);

beforeAll(async () => {
  connection = await connectTestDb();
  // Made before the apps start: the Wine-hosted mongod must not see two clients create one collection.
  // (A worker's database is reused, emptied, by its next file: they may exist already.)
  await withCatalogLock(inject('mongoUri'), async () => {
    const existing = new Set((await connection.listCollections()).map((c) => c.name));
    for (const name of [REFERENCE_USERS_COLLECTION, REFERENCE_SESSIONS_COLLECTION])
      if (!existing.has(name)) await connection.createCollection(name);
  });
  const base = Date.now() - 3_600_000;
  await postModel(connection).insertMany([
    ...Array.from({ length: 12 }, (_, i) => ({
      title: `Post ${i + 1}`,
      body: 'x',
      tags: ['sessions'],
      authorId: '000000000000000000000001',
      authorName: 'writer',
      status: 'published',
      publishedAt: new Date(base + i * 60_000),
    })),
    { title: 'A draft', body: 'x', authorId: '000000000000000000000001', authorName: 'writer', status: 'draft' },
  ]);
  const env = { NODE_ENV: 'production', MONGODB_URI: inject('mongoUri'), FOLIO_BENCH_DB: connection.name };
  servers.tutorial = await startServerProcess({ script: 'reference/tutorial.ts', env, verbose: false });
  servers['hand-written'] = await startServerProcess({ script: 'reference/hand-written.ts', env, verbose: false });
  cookie = await signInToReference(servers.tutorial.url, REFERENCE_USER, REFERENCE_COOKIE_NAME);
}, 120_000);

afterAll(async () => {
  for (const server of Object.values(servers)) await server.stop();
  if (connection) await releaseTestDb(connection);
});

describe('the reference apps', () => {
  it.each([
    ['tutorial', 3, 1],
    ['hand-written', 2, 0],
  ] as const)('%s: the newest 10 published posts, signed in, at %i MongoDB commands', async (app, commands, writes) => {
    const server = servers[app];
    if (!server) throw new Error(`${app} did not start`);
    await fetch(`${server.url}/posts`, { headers: { cookie } }); // connections and caches warm
    await server.call('reset', null);
    const res = await fetch(`${server.url}/posts`, { headers: { cookie } });
    const html = await res.text();
    const stats = await server.call('stats', null);
    expect(res.status).toBe(200);
    expect(html).toContain(`Signed in as ${REFERENCE_USER.username}`);
    expect(listed(html)).toEqual(Array.from({ length: 10 }, (_, i) => `Post ${12 - i}`));
    expect(html).toContain('href="/tags/sessions"');
    expect(html).not.toContain('A draft');
    expect(stats.requests).toBe(1);
    expect(stats.commands, JSON.stringify(stats.byCommand)).toBe(commands);
    expect(stats.sessionWrites).toBe(writes);
  });

  it.each(['tutorial', 'hand-written'] as const)('%s: no cookie, no list (the session check runs)', async (app) => {
    const res = await fetch(`${servers[app]?.url}/posts`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/auth/login');
  });
});

describe('the report', () => {
  const result = (name: string, requestsPerSecond: number) =>
    // judgeTargets reads only these fields of a scenario's result.
    ({ name, requestsPerSecond, ratioToHealthz: null }) as unknown as ScenarioResult;

  it('prints Folio ÷ tutorial and Folio ÷ hand-written from the same run, with their goals', () => {
    const targets = judgeTargets([
      result('posts-signed-in', 600),
      result(TUTORIAL_SCENARIO, 300),
      result(HAND_WRITTEN_SCENARIO, 750),
    ]);
    const of = (what: string) => targets.find((t) => t.what.includes(what));
    expect(of('the tutorial app')).toMatchObject({ value: 2, goal: '≥ 2', met: true });
    expect(of('the hand-written page')).toMatchObject({ value: 0.8, goal: '> 1', met: false });
  });

  it('--scenario posts-signed-in runs Folio with both references; static-css asks for the hashed stylesheet', () => {
    expect(selectScenarios(['posts-signed-in']).map((s) => s.name)).toEqual(
      expect.arrayContaining(['posts-signed-in', TUTORIAL_SCENARIO, HAND_WRITTEN_SCENARIO]),
    );
    const css = SCENARIOS.find((s) => s.name === 'static-css');
    const fixtures = { stylesheet: '/assets/site.0123abcd.css' } as Parameters<NonNullable<typeof css>['request']>[0];
    expect(css?.request(fixtures).path).toBe('/assets/site.0123abcd.css');
  });
});
