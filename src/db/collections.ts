import type { Connection } from 'mongoose';

const NAMESPACE_EXISTS = 48;

/**
 * Creates a collection unless it exists. Collections are made once, before traffic, never implicitly by
 * concurrent first writes: two requests racing to create the same collection make mongod throw a
 * WriteConflict internally, which crashes the Windows build of mongod that runs under Wine on machines
 * without internet (see README, "MongoDB, three ways").
 */
export async function ensureCollection(connection: Connection, name: string): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error(`cannot create ${name}: the connection is not open`);
  if (await db.listCollections({ name }, { nameOnly: true }).hasNext()) return;
  await db.createCollection(name).catch((err: { code?: number }) => {
    if (err.code !== NAMESPACE_EXISTS) throw err;
  });
}
