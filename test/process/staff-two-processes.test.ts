import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PASSWORD } from '../support/http';
import { call, waitUntil } from '../support/process-http';
import { uniqueDbName, withDatabase } from '../support/process-mongod';
import { productionEnv, type RunningServer, spawnServer } from '../support/spawn-server';

/**
 * Staff actions reach every live session on every process at once: a suspended user's requests in flight on
 * two real app processes (none answered as signed in afterwards, none 5xx), and a demoted editor's open tab on
 * the other process (it cannot publish).
 */

const env = productionEnv({ MONGODB_URI: withDatabase(inject('mongoUri'), uniqueDbName('folio_staff')) });

let a: RunningServer;
let b: RunningServer;
let owner: string;

beforeAll(async () => {
  // One after the other: the first creates the collections (concurrent creation crashes the Wine mongod).
  a = await spawnServer(env);
  b = await spawnServer(env);
  // The first account on the empty database: the owner. Just signed in, so in sudo mode (REAUTH_MINUTES).
  const res = await call(a.url, '/auth/register', { json: { username: 'owner', password: PASSWORD } });
  expect(res.status, res.text).toBe(201);
  owner = res.cookie as string;
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function register(username: string, base = a.url): Promise<string> {
  const res = await call(base, '/auth/register', { json: { username, password: PASSWORD } });
  expect(res.status, res.text).toBe(201);
  return res.cookie as string;
}

async function login(username: string, base: string): Promise<string> {
  const res = await call(base, '/auth/login', { json: { username, password: PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return res.cookie as string;
}

describe('on two processes', () => {
  it('a suspended user’s 20 requests in flight: none answered as signed in afterwards, none 5xx', async () => {
    const onA = await register('suspect');
    const onB = await login('suspect', b.url);
    for (const [cookie, base] of [
      [onA, a.url],
      [onB, b.url],
    ] as const) {
      expect((await call(base, '/auth/profile', { cookie })).status).toBe(200);
    }

    let stopped = false;
    let suspendedAt = Number.POSITIVE_INFINITY;
    const replies: { status: number; path: string; startedAt: number }[] = [];
    const workers = Array.from({ length: 20 }, async (_, w) => {
      for (let i = 0; i < 400 && !stopped; i++) {
        const base = (w + i) % 2 === 0 ? a.url : b.url;
        const cookie = w % 2 === 0 ? onA : onB;
        // Pages that save the session before redirecting (the write that could revive it), and the profile.
        const path = i % 2 === 0 ? '/' : '/auth/profile';
        const startedAt = Date.now();
        const reply = await call(base, path, { cookie, accept: path === '/' ? 'text/html' : 'application/json' });
        replies.push({ status: reply.status, path, startedAt });
      }
    });
    for (let i = 0; i < 200 && replies.length < 20; i++) await new Promise((r) => setTimeout(r, 10));

    const suspended = await call(b.url, '/admin/users/suspect/suspend', { json: {}, cookie: owner });
    expect(suspended.status, suspended.text).toBe(200);
    suspendedAt = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    stopped = true;
    await Promise.all(workers);

    expect(replies.length).toBeGreaterThan(40);
    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    const lateProfiles = replies.filter((r) => r.path === '/auth/profile' && r.startedAt > suspendedAt);
    expect(lateProfiles.length).toBeGreaterThan(0);
    expect(lateProfiles.filter((r) => r.status === 200)).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    for (const cookie of [onA, onB]) {
      for (const base of [a.url, b.url]) expect((await call(base, '/auth/profile', { cookie })).status).toBe(401);
    }
    // Sign-in refused on both processes, saying why.
    for (const base of [a.url, b.url]) {
      const refused = await call(base, '/auth/login', { json: { username: 'suspect', password: PASSWORD } });
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.json)).toMatch(/suspended/);
    }
  });

  it('site settings changed on one process: registration at once on the other, the title within seconds', async () => {
    const current = (await call(a.url, '/admin/settings', { cookie: owner, accept: 'application/json' })).json as {
      settings: Record<string, string>;
    };
    const changed = { ...current.settings, registration: 'invite', siteTitle: 'Shared Title' };
    const saved = await call(b.url, '/admin/settings', { json: changed, cookie: owner });
    expect(saved.status, saved.text).toBe(200);
    const refused = await call(a.url, '/auth/register', { json: { username: 'latecomer', password: PASSWORD } });
    expect(refused.status).toBe(403);
    // Pages read a per-process copy, refreshed every 5 s (plus PAGE_CACHE_SECONDS for cached anonymous pages).
    const seen = await waitUntil(
      async () => (await call(a.url, '/posts', { accept: 'text/html' })).text.includes('Shared Title'),
      15_000,
    );
    expect(seen).toBe(true);
    await call(b.url, '/admin/settings', { json: current.settings, cookie: owner });
  });

  it('a demoted editor’s open tab on the other process cannot publish', async () => {
    await register('eddy');
    const contributor = await register('conny');
    for (const [name, role] of [
      ['eddy', 'editor'],
      ['conny', 'contributor'],
    ] as const) {
      const res = await call(b.url, `/admin/users/${name}/role`, { json: { role }, cookie: owner });
      expect(res.status, res.text).toBe(200);
    }
    const editorTab = await login('eddy', a.url);
    const draft = await call(a.url, '/posts', {
      json: { title: 'Please publish', body: 'Text', status: 'published' },
      cookie: contributor,
    });
    expect((draft.json as { post: { status: string } }).post.status).toBe('draft');
    const id = (draft.json as { post: { id: string } }).post.id;

    // While an editor, the tab may edit someone else's draft.
    expect((await call(a.url, `/posts/${id}/edit`, { cookie: editorTab })).status).toBe(200);
    // Demoted on process b; the tab on process a tries at once.
    const demoted = await call(b.url, '/admin/users/eddy/role', { json: { role: 'author' }, cookie: owner });
    expect(demoted.status, demoted.text).toBe(200);
    const publish = await call(a.url, `/posts/${id}`, {
      json: { title: 'Please publish', body: 'Text', status: 'published' },
      cookie: editorTab,
    });
    expect(publish.status).toBe(403);
    expect((await call(b.url, `/posts/${id}`, { accept: 'application/json' })).status).toBe(404);
  });
});
