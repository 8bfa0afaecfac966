import { mongo } from 'mongoose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PAGE_VIEWS_COLLECTION } from '../../src/account/page-views';
import { PASSWORD } from '../support/http';
import { call } from '../support/process-http';
import { uniqueDbName, withDatabase } from '../support/process-mongod';
import { productionEnv, spawnServer } from '../support/spawn-server';

/**
 * Page views are buffered for a second before one bulk write; a process stopped inside that second must
 * still store them (SIGTERM flushes the buffer before MongoDB is closed).
 */
const dbName = uniqueDbName('folio_views');
const uri = withDatabase(inject('mongoUri'), dbName);
const client = new mongo.MongoClient(uri);
afterAll(() => client.close());

describe('page views at shutdown', () => {
  it('views counted just before SIGTERM are stored', async () => {
    const server = await spawnServer(productionEnv({ MONGODB_URI: uri }));
    try {
      expect(
        (await call(server.url, '/auth/register', { json: { username: 'viewer', password: PASSWORD } })).status,
      ).toBe(201);
      const login = await call(server.url, '/auth/login', { json: { username: 'viewer', password: PASSWORD } });
      for (let i = 0; i < 3; i++) {
        expect((await call(server.url, '/posts', { cookie: login.cookie, accept: 'text/html' })).status).toBe(200);
      }
    } finally {
      // At once: well inside the one-second buffer.
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    const docs = await client.db(dbName).collection(PAGE_VIEWS_COLLECTION).find().toArray();
    expect(docs.map((d) => d.views)).toEqual([3]);
  });
});
