import type { Request } from 'express';
import type session from 'express-session';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolioSessionStore, SESSIONS_COLLECTION } from '../../src/session/session-store';
import { connectTestDb, releaseTestDb } from '../support/test-app';

/**
 * The store's overrides of connect-mongo's MongoStore, one by one, on a real mongod. The process tests
 * (test/process/sessions-stay-ended.test.ts) show the guarantee under load; these show what each override
 * adds, including what a tombstone alone cannot: a deleted session never comes back.
 */

let connection: Connection;
let store: FolioSessionStore;

beforeAll(async () => {
  connection = await connectTestDb();
  store = new FolioSessionStore(connection, { ttlSeconds: 600, touchAfterSeconds: 60 });
});
afterAll(async () => {
  await releaseTestDb(connection);
});

const call = <T>(run: (done: (err?: unknown, value?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value))));

function fresh(): session.SessionData {
  return {
    cookie: { originalMaxAge: null, httpOnly: true, path: '/' },
    user: { id: 'u1', username: 'alice' },
  } as session.SessionData;
}

/** What express-session does with a stored session at the start of a request. */
async function load(sid: string) {
  const data = await call<session.SessionData | null>((done) => store.get(sid, done));
  if (!data) return null;
  return store.createSession({ sessionID: sid } as Request, data);
}

const sessions = () => connection.collection(SESSIONS_COLLECTION);

describe("Folio's session store (connect-mongo's MongoStore, extended)", () => {
  it('is a MongoStore', async () => {
    const { MongoStore } = await import('connect-mongo');
    expect(store).toBeInstanceOf(MongoStore);
  });

  it('set: a session loaded before it was deleted is not written back (connect-mongo would upsert it)', async () => {
    await call((done) => store.set('deleted-underneath', fresh(), done));
    const loaded = await load('deleted-underneath');
    expect(loaded?.user?.username).toBe('alice');
    // The purge (or the TTL monitor) deletes it while this request is still running…
    await sessions().deleteOne({ _id: 'deleted-underneath' as never });
    // …and the request's save at its end changes nothing.
    if (!loaded) throw new Error('not loaded');
    await call((done) => store.set('deleted-underneath', loaded, done));
    expect(await sessions().countDocuments({ _id: 'deleted-underneath' as never })).toBe(0);
  });

  it('destroy leaves a tombstone that get refuses, and a late save of the loaded session does not revive', async () => {
    await call((done) => store.set('ended', fresh(), done));
    const loaded = await load('ended');
    if (!loaded) throw new Error('not loaded');
    await call((done) => store.destroy('ended', done));
    await call((done) => store.set('ended', loaded, done));
    expect(await load('ended')).toBeNull();
    expect(store.endedReason('ended')).toBe('signed_out');
    const doc = await sessions().findOne({ _id: 'ended' as never });
    expect(doc?.endedAt).toBeInstanceOf(Date);
    expect(doc?.session).toBeUndefined();
  });

  it('a session created in the request is inserted; saved again, it is updated', async () => {
    const created = fresh();
    await call((done) => store.set('new-one', created, done));
    await call((done) => store.set('new-one', { ...created, readingList: ['a'] } as session.SessionData, done));
    expect((await load('new-one'))?.user?.id).toBe('u1');
  });
});
