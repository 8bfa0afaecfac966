import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PASSWORD } from '../support/http';
import { call, type Reply } from '../support/process-http';
import { uniqueDbName, withDatabase } from '../support/process-mongod';
import { productionEnv, type RunningServer, spawnServer } from '../support/spawn-server';

/**
 * "An ended session stays ended", proven the only way it can be: with requests of the session in flight on
 * two real app processes while it is ended. Each in-flight `GET /` saves the session before redirecting
 * (saveSessionBeforeRedirect) — the save that used to write an ended session back (connect-mongo upserts).
 */

const env = productionEnv({ MONGODB_URI: withDatabase(inject('mongoUri'), uniqueDbName('folio_ended')) });
const NEW_PASSWORD = 'a-brand-new-passphrase-7';

let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
  // One after the other: the first creates the collections (concurrent creation crashes the Wine mongod).
  a = await spawnServer(env);
  b = await spawnServer(env);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function register(username: string): Promise<void> {
  const res = await call(a.url, '/auth/register', { json: { username, password: PASSWORD } });
  expect(res.status, res.text).toBe(201);
}

async function login(username: string, password = PASSWORD, base = a.url): Promise<string> {
  const res = await call(base, '/auth/login', { json: { username, password } });
  expect(res.status, res.text).toBe(200);
  return res.cookie as string;
}

async function signedIn(cookie: string): Promise<boolean[]> {
  return Promise.all(
    [a.url, b.url].map(async (base) => (await call(base, '/auth/profile', { cookie })).status === 200),
  );
}

/**
 * Keeps `workers` requests of the session in flight, alternating between the two processes, until stopped.
 * Bounded: at most 400 requests per worker. Resolves with every reply.
 */
function keepBusy(cookie: string, workers = 20) {
  let stopped = false;
  let completed = 0;
  const replies: Reply[] = [];
  const runs = Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; i < 400 && !stopped; i++) {
      const base = (w + i) % 2 === 0 ? a.url : b.url;
      const reply = await call(base, '/', { cookie, accept: 'text/html' });
      replies.push(reply);
      completed++;
    }
  });
  return {
    /** Waits until the session is busy on both processes. */
    warmedUp: async () => {
      for (let i = 0; i < 200 && completed < workers; i++) await new Promise((r) => setTimeout(r, 10));
    },
    /** Keeps going a little after the ending (so requests that loaded the session before it finish after it). */
    stop: async () => {
      await new Promise((r) => setTimeout(r, 300));
      stopped = true;
      await Promise.all(runs);
      return replies;
    },
  };
}

describe('an ended session stays ended with its requests in flight, on two processes', () => {
  it.each([
    ['sign out all other devices', 'revoke-others'],
    ['sign out one device', 'revoke-one'],
    ['log out (a second tab keeps working)', 'logout'],
    ['password change', 'password'],
  ] as const)('%s', async (_name, action) => {
    const username = `racer-${action}`.slice(0, 30);
    await register(username);
    const victim = await login(username);
    const actor = action === 'logout' ? victim : await login(username, PASSWORD, b.url);
    expect(await signedIn(victim)).toEqual([true, true]);

    const busy = keepBusy(victim);
    await busy.warmedUp();
    let ended: Reply;
    if (action === 'revoke-others') {
      ended = await call(b.url, '/account/sessions/revoke-others', { json: {}, cookie: actor });
    } else if (action === 'revoke-one') {
      const list = (await call(b.url, '/account/sessions', { cookie: actor })).json as {
        sessions: { publicId: string; current: boolean }[];
      };
      const other = list.sessions.find((s) => !s.current);
      expect(other).toBeDefined();
      ended = await call(b.url, `/account/sessions/${other?.publicId}/revoke`, { json: {}, cookie: actor });
    } else if (action === 'logout') {
      ended = await call(b.url, '/auth/logout', { json: {}, cookie: victim });
    } else {
      ended = await call(b.url, '/account/password', {
        json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
        cookie: actor,
      });
    }
    expect(ended.status, ended.text).toBe(200);
    const replies = await busy.stop();

    expect(replies.length).toBeGreaterThan(40);
    expect(replies.filter((r) => r.status >= 500).map((r) => r.status)).toEqual([]);
    // Signed out on both processes, now and a moment later (no late write brings it back).
    expect(await signedIn(victim)).toEqual([false, false]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await signedIn(victim)).toEqual([false, false]);
  });
});

describe('a credential change wins over every login in flight', () => {
  it('logins with the old password running during a password change: none of their sessions is valid after', async () => {
    const username = 'racer-logins';
    await register(username);
    const owner = await login(username);

    let changed = false;
    let stopped = false;
    const obtained: string[] = [];
    // Four attackers who know the old password keep logging in, on both processes. Bounded loops.
    const loops = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 200 && !stopped; i++) {
        const res = await call(w % 2 === 0 ? a.url : b.url, '/auth/login', {
          json: { username, password: PASSWORD },
        });
        if (res.status === 200 && res.cookie) obtained.push(res.cookie);
      }
    });
    // Let some logins succeed before the change, so sessions from before and from during it exist.
    for (let i = 0; i < 300 && obtained.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    const change = await call(b.url, '/account/password', {
      json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
      cookie: owner,
    });
    expect(change.status, change.text).toBe(200);
    changed = true;
    await new Promise((r) => setTimeout(r, 400));
    stopped = true;
    await Promise.all(loops);

    expect(changed).toBe(true);
    expect(obtained.length).toBeGreaterThanOrEqual(4);
    const stillValid = (await Promise.all(obtained.map(signedIn))).filter((s) => s.includes(true));
    expect(stillValid).toEqual([]);
    // The owner's own session got a new id and stays.
    expect(await signedIn(change.cookie as string)).toEqual([true, true]);
  });
});
