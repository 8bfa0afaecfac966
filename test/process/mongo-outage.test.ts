import { rmSync } from 'node:fs';
import type { MongoMemoryServer } from 'mongodb-memory-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/http';
import { call, type Reply, waitUntil } from '../support/process-http';
import { LEVEL, logLines } from '../support/process-logs';
import { freePort, startStandalone, withDatabase } from '../support/process-mongod';
import { scratchDir } from '../support/scratch-dir';
import { productionEnv, type RunningServer, spawnServer } from '../support/spawn-server';

/**
 * MongoDB goes away under a running app and comes back on the same port with the same data. The app must
 * answer 503 quickly (not hang, not 500, not crash) while it is gone and recover by itself when it returns.
 * It gets its own mongod: stopping the run's shared one would break every other test file.
 */

const OUTAGE_BOUND_MS = 3_000;

const dbPath = scratchDir('outage');
let mongod: MongoMemoryServer;
let app: RunningServer;

beforeAll(async () => {
  mongod = await startStandalone({ port: await freePort(), dbPath });
  // No page cache: this test is about what MongoDB's absence does to a page that needs it. (A cached
  // anonymous page may be served for at most PAGE_CACHE_SECONDS into an outage.)
  app = await spawnServer(
    productionEnv({ MONGODB_URI: withDatabase(mongod.getUri(), 'folio_outage'), PAGE_CACHE_SECONDS: '0' }),
  );
});
afterAll(async () => {
  await app?.stop();
  await mongod?.stop({ doCleanup: false });
  rmSync(dbPath, { recursive: true, force: true });
});

function expectFast503(reply: Reply, what: string): void {
  console.info(`outage: ${what} → ${reply.status} in ${Math.round(reply.ms)} ms`);
  expect(reply.status, what).toBe(503);
  expect(reply.ms, what).toBeLessThan(OUTAGE_BOUND_MS);
}

describe('MongoDB outage', () => {
  it('answers 503 within 3 s while MongoDB is down, stays up, and recovers when it is back', async () => {
    const registered = await call(app.url, '/auth/register', { json: { username: 'erin', password: PASSWORD } });
    expect(registered.status).toBe(201);
    const cookie = registered.cookie;
    expect((await call(app.url, '/posts')).status).toBe(200);

    await mongod.stop({ doCleanup: false });

    // All at once, as traffic would arrive: each must still be answered within the bound.
    const [healthz, readyz, list, page, profile, signedInPage, create, login] = await Promise.all([
      call(app.url, '/healthz'),
      call(app.url, '/readyz'),
      call(app.url, '/posts'),
      call(app.url, '/posts', { accept: 'text/html' }),
      // Signed in: the session store fails before any handler runs, and must not make it slower.
      call(app.url, '/auth/profile', { cookie }),
      call(app.url, '/posts', { accept: 'text/html', cookie }),
      call(app.url, '/posts', { json: { title: 'During the outage', body: 'Never stored' }, cookie }),
      call(app.url, '/auth/login', { json: { username: 'erin', password: PASSWORD } }),
    ]);
    expect(healthz.status).toBe(200);
    expectFast503(readyz, 'GET /readyz');
    expect(readyz.json).toEqual({ status: 'unavailable', mongodb: 'unreachable' });
    expectFast503(list, 'GET /posts (JSON)');
    expect(list.json).toEqual({ error: 'Service temporarily unavailable' });
    expect(list.headers.get('retry-after')).toBe('5');
    expectFast503(page, 'GET /posts (HTML)');
    expect(page.text).toContain('Temporarily unavailable');
    expectFast503(profile, 'GET /auth/profile (signed in)');
    expectFast503(signedInPage, 'GET /posts (HTML, signed in)');
    expectFast503(create, 'POST /posts (signed in)');
    expectFast503(login, 'POST /auth/login');
    // Still up, and still answering after all that.
    expect((await call(app.url, '/healthz')).status).toBe(200);
    expect(app.child.exitCode).toBeNull();

    await mongod.start(true);

    const restartedAt = performance.now();
    const recovered = await waitUntil(async () => (await call(app.url, '/posts')).status === 200, 60_000);
    expect(recovered).toBe(true);
    console.info(`outage: /posts 200 again ${Math.round(performance.now() - restartedAt)} ms after mongod was back`);
    expect((await call(app.url, '/readyz')).status).toBe(200);
    // Same data, and the failed reads during the outage did not end it: the session from before is signed in.
    expect((await call(app.url, '/auth/profile', { cookie })).json).toEqual({
      user: { username: 'erin', role: expect.any(String) },
    });
    expect(app.child.exitCode).toBeNull();

    const lines = logLines(app.stdout());
    expect(lines.filter((l) => l.level >= LEVEL.error)).toEqual([]);
    expect(lines.filter((l) => l.msg === 'MongoDB unavailable: answered 503').length).toBeGreaterThanOrEqual(6);
    const lost = lines.findIndex((l) => l.msg?.startsWith('MongoDB connection lost'));
    const restored = lines.findIndex((l) => l.msg === 'MongoDB connection restored');
    expect(lost).toBeGreaterThan(-1);
    expect(restored).toBeGreaterThan(lost);
  }, 120_000);
});
