import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_VIEWS_COLLECTION, PageViews } from '../../src/account/page-views';
import { createLogger } from '../../src/logger';
import { connectTestDb, releaseTestDb, testConfig } from '../support/test-app';

let connection: Connection;
beforeAll(async () => {
  connection = await connectTestDb();
});
afterAll(async () => {
  await releaseTestDb(connection);
});

const stored = async (id: string) =>
  (await connection.collection(PAGE_VIEWS_COLLECTION).findOne({ _id: id as never }))?.views;

describe('buffered page-view counts', () => {
  it('count() is exact at once; MongoDB has the counts after one bulk write, within a second', async () => {
    const views = new PageViews(connection, createLogger(testConfig()));
    for (let i = 0; i < 3; i++) views.increment('session-a');
    views.increment('session-b');
    expect(await views.count('session-a')).toBe(3);
    expect(await stored('session-a')).toBeUndefined();

    await expect.poll(() => stored('session-a'), { timeout: 3_000 }).toBe(3);
    expect(await stored('session-b')).toBe(1);
    views.increment('session-a');
    expect(await views.count('session-a')).toBe(4);
    await views.flush();
    expect(await stored('session-a')).toBe(4);
    // Another process (here: another instance) sees the stored count.
    expect(await new PageViews(connection, createLogger(testConfig())).count('session-a')).toBe(4);
  });

  it('forget() drops pending and stored counts', async () => {
    const views = new PageViews(connection, createLogger(testConfig()));
    views.increment('session-c');
    await views.flush();
    views.increment('session-c');
    await views.forget('session-c');
    expect(await views.count('session-c')).toBe(0);
    await views.flush();
    expect(await stored('session-c')).toBeUndefined();
  });
});
