import type { MongoMemoryReplSet } from 'mongodb-memory-server';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/http';
import { call } from '../support/process-http';
import { startReplicaSet, withDatabase } from '../support/process-mongod';
import { productionEnv, type RunningServer, spawnServer } from '../support/spawn-server';

/**
 * A three-member replica set loses its primary (replSetStepDown) while users keep publishing. A post the app
 * answered 201 for must exist afterwards; a request caught by the election may fail, but only with a 503.
 */

const DB_NAME = 'folio_failover';
const WRITERS = 2;
/** Acknowledged posts wanted before the step-down, and again after it (proving the app recovered). */
const POSTS_PER_PHASE = 15;

let replSet: MongoMemoryReplSet;
let app: RunningServer;
let admin: mongoose.mongo.MongoClient;

beforeAll(async () => {
  replSet = await startReplicaSet();
  const uri = withDatabase(replSet.getUri(), DB_NAME);
  app = await spawnServer(productionEnv({ MONGODB_URI: uri }));
  admin = await new mongoose.mongo.MongoClient(uri).connect();
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await admin?.close();
  // Removes the members' data directories too (startReplicaSet).
  await replSet?.stop({ doCleanup: true, force: true });
});

async function primaryHost(): Promise<string> {
  const hello = await admin.db('admin').command({ hello: 1 });
  if (typeof hello.primary !== 'string') throw new Error('no primary');
  return hello.primary;
}

/** Steps the primary down (it refuses re-election for 60 s), through a connection to that member alone. */
async function stepDown(host: string): Promise<void> {
  const direct = await new mongoose.mongo.MongoClient(`mongodb://${host}/?directConnection=true`).connect();
  try {
    await direct.db('admin').command({ replSetStepDown: 60, secondaryCatchUpPeriodSecs: 10 });
  } finally {
    await direct.close();
  }
}

interface Attempt {
  readonly n: number;
  readonly status: number;
  readonly id?: string;
  readonly afterStepDown: boolean;
}

describe('replica set failover', () => {
  it('keeps every acknowledged post when the primary steps down mid-stream', async () => {
    // Posting is limited per user (30 per 10 minutes): each writer publishes from accounts of its own in turn.
    const cookies: string[] = [];
    for (let i = 0; i < WRITERS * 2; i++) {
      const registered = await call(app.url, '/auth/register', { json: { username: `grace${i}`, password: PASSWORD } });
      expect(registered.status).toBe(201);
      cookies.push(registered.cookie ?? '');
    }

    const attempts: Attempt[] = [];
    let steppedDown = false;
    let next = 0;
    const acked = (after: boolean) => attempts.filter((a) => a.status === 201 && a.afterStepDown === after).length;
    const deadline = Date.now() + 90_000;

    const writer = async (_: unknown, w: number) => {
      let mine = 0;
      while (acked(true) < POSTS_PER_PHASE && Date.now() < deadline) {
        const n = next++;
        const cookie = cookies[w * 2 + (Math.floor(mine++ / 25) % 2)];
        const afterStepDown = steppedDown;
        const res = await call(app.url, '/posts', { json: { title: `Failover post ${n}`, body: `Body ${n}` }, cookie });
        const id = res.status === 201 ? (res.json as { post: { id: string } }).post.id : undefined;
        attempts.push({ n, status: res.status, id, afterStepDown });
      }
    };
    const conductor = async () => {
      while (acked(false) < POSTS_PER_PHASE) await new Promise((resolve) => setTimeout(resolve, 50));
      const before = await primaryHost();
      await stepDown(before);
      steppedDown = true;
      return before;
    };

    const [oldPrimary] = await Promise.all([conductor(), ...Array.from({ length: WRITERS }, writer)]);
    const newPrimary = await primaryHost();
    expect(newPrimary).not.toBe(oldPrimary);

    const ids = attempts.flatMap((a) => (a.id ? [new mongoose.Types.ObjectId(a.id)] : []));
    const stored = await admin
      .db(DB_NAME)
      .collection('posts')
      .find({ _id: { $in: ids } }, { readConcern: { level: 'majority' }, projection: { _id: 1 } })
      .toArray();
    const failures = attempts.filter((a) => a.status !== 201);
    console.info(
      `failover: ${attempts.length} posts attempted, ${ids.length} acknowledged ` +
        `(${acked(false)} before, ${acked(true)} after the step-down), ${stored.length} found; ` +
        `failed: ${failures.map((f) => f.status).join(', ') || 'none'}; primary ${oldPrimary} → ${newPrimary}`,
    );

    expect(acked(true)).toBeGreaterThanOrEqual(POSTS_PER_PHASE);
    expect(stored.map((p) => String(p._id)).sort()).toEqual(ids.map(String).sort());
    // Only "try again" answers while the set elected a new primary: never a 500.
    expect(failures.filter((f) => f.status !== 503)).toEqual([]);
  }, 180_000);
});
