import mongoose from 'mongoose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { userModel } from '../../src/users/user.model';
import { PASSWORD } from '../support/http';
import { uniqueDbName, withDatabase } from '../support/process-mongod';
import { prepareTestDb, startTestApp, type TestApp } from '../support/test-app';

/**
 * Writes users care about are acknowledged only once a majority of the replica set has them, so a failover
 * cannot roll back an acknowledged post or account. Watched on the wire (the driver's command events): what
 * matters is what MongoDB is asked for, whatever code path sends it.
 * (MongoDB 5+ defaults to majority on most replica sets, but not on every topology — e.g. with an arbiter —
 * nor when a URI says `w=1`; the models ask for it explicitly.)
 */

interface SentWrite {
  readonly command: string;
  readonly collection: string;
  readonly writeConcern: unknown;
}

let connection: mongoose.Connection;
let testApp: TestApp;
const writes: SentWrite[] = [];

beforeAll(async () => {
  connection = mongoose.createConnection(withDatabase(inject('mongoUri'), uniqueDbName('folio_wc')), {
    monitorCommands: true,
    autoIndex: false,
    autoCreate: false,
  });
  await connection.asPromise();
  await prepareTestDb(connection);
  connection.getClient().on('commandStarted', (event) => {
    if (['insert', 'update', 'findAndModify', 'delete'].includes(event.commandName)) {
      writes.push({
        command: event.commandName,
        collection: String(event.command[event.commandName]),
        writeConcern: event.command.writeConcern,
      });
    }
  });
  testApp = await startTestApp({ connection });
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

describe('write concern of the writes users care about', () => {
  it('creates accounts and posts, and updates accounts (password changes), with w: majority', async () => {
    const agent = request.agent(testApp.app);
    expect((await agent.post('/auth/register').send({ username: 'heidi', password: PASSWORD })).status).toBe(201);
    expect((await agent.post('/posts').send({ title: 'Durable', body: 'Acknowledged by a majority' })).status).toBe(
      201,
    );

    // Whatever route changes a password goes through the User model, which carries the write concern.
    await userModel(connection).updateOne({ username: 'heidi' }, { passwordHash: 'a-new-hash' });

    const userInserts = writes.filter((w) => w.collection === 'users' && w.command === 'insert');
    const userUpdates = writes.filter((w) => w.collection === 'users' && w.command === 'update');
    const postInserts = writes.filter((w) => w.collection === 'posts' && w.command === 'insert');
    expect(userInserts).toHaveLength(1);
    expect(userUpdates).toHaveLength(1);
    expect(postInserts).toHaveLength(1);
    for (const write of [...userInserts, ...userUpdates, ...postInserts]) {
      expect(write.writeConcern).toMatchObject({ w: 'majority' });
    }
  });
});
