import type { Connection, mongo } from 'mongoose';

export const READING_LISTS_COLLECTION = 'reading_lists';

/** Enough for any reader; a bound keeps the document (and an anonymous session) small. */
export const READING_LIST_MAX = 100;

const NAMESPACE_EXISTS = 48;
const DUPLICATE_KEY = 11000;

/** One document per account: the post ids it saved, oldest first ($addToSet appends). */
interface ReadingListDocument {
  userId: string;
  postIds: string[];
  updatedAt: Date;
}

export class ReadingListFullError extends Error {
  constructor() {
    super(`A reading list holds at most ${READING_LIST_MAX} posts`);
  }
}

/** Creates the collection and its unique index up front (never implicitly by concurrent first writes). */
export async function prepareReadingLists(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('prepareReadingLists needs an open connection');
  await db.createCollection(READING_LISTS_COLLECTION).catch((err: { code?: number }) => {
    if (err.code !== NAMESPACE_EXISTS) throw err;
  });
  await db.collection(READING_LISTS_COLLECTION).createIndex({ userId: 1 }, { unique: true });
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY;
}

/**
 * A signed-in reader's list, kept on the account so every device sees the same one. Every change is one
 * atomic update ($addToSet / $pull), so two devices saving at once both land and nothing is read-modify-written.
 */
export class ReadingListStore {
  private readonly lists: mongo.Collection<ReadingListDocument>;

  constructor(connection: Connection) {
    // The driver's collection, not a model: each operation here is one plain atomic command.
    this.lists = connection.collection<ReadingListDocument>(READING_LISTS_COLLECTION);
  }

  /** The saved ids, newest first. */
  async list(userId: string): Promise<string[]> {
    const doc = await this.lists.findOne({ userId }, { projection: { postIds: 1 } });
    return [...(doc?.postIds ?? [])].reverse();
  }

  async has(userId: string, postId: string): Promise<boolean> {
    return (await this.lists.countDocuments({ userId, postIds: postId }, { limit: 1 })) > 0;
  }

  /** Adds the ids (already there: no change); returns the new count. Refuses to grow past the bound. */
  async add(userId: string, postIds: readonly string[]): Promise<number> {
    if (postIds.length === 0) return (await this.list(userId)).length;
    // The filter only matches a list with room for all of them (or a list that has them already): a full list
    // does not match, the upsert then collides with it on the unique index, and that is "full".
    const room = READING_LIST_MAX - postIds.length;
    const filter = {
      userId,
      $or: [{ [`postIds.${room}`]: { $exists: false } }, { postIds: { $all: [...postIds] } }],
    };
    const update = { $addToSet: { postIds: { $each: [...postIds] } }, $set: { updatedAt: new Date() } };
    const options = { returnDocument: 'after' as const, projection: { postIds: 1 } };
    try {
      const doc = await this.lists.findOneAndUpdate(filter, update, { ...options, upsert: true });
      return doc?.postIds.length ?? 0;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    // The upsert collided with an existing list: either it is full (the filter did not match it), or another
    // device's first save inserted it a moment ago; an update without upsert tells the two apart.
    const retry = await this.lists.findOneAndUpdate(filter, update, options);
    if (!retry) throw new ReadingListFullError();
    return retry.postIds.length;
  }

  /** Removes the id; returns the new count. */
  async remove(userId: string, postId: string): Promise<number> {
    const doc = await this.lists.findOneAndUpdate(
      { userId },
      { $pull: { postIds: postId }, $set: { updatedAt: new Date() } },
      { returnDocument: 'after', projection: { postIds: 1 } },
    );
    return doc?.postIds.length ?? 0;
  }

  /** Anonymous saves (newest first) join the account's list at sign-in, as many as fit; returns the count. */
  async merge(userId: string, anonymousNewestFirst: readonly string[]): Promise<number> {
    const oldestFirst = [...anonymousNewestFirst].reverse();
    if (oldestFirst.length === 0) return (await this.list(userId)).length;
    const existing = await this.list(userId);
    const fresh = oldestFirst.filter((id) => !existing.includes(id)).slice(0, READING_LIST_MAX - existing.length);
    if (fresh.length === 0) return existing.length;
    try {
      return await this.add(userId, fresh);
    } catch (err) {
      if (err instanceof ReadingListFullError) return READING_LIST_MAX;
      throw err;
    }
  }

  /** A deleted post is dropped from every list that held it. */
  async forgetPost(postId: string): Promise<void> {
    await this.lists.updateMany({ postIds: postId }, { $pull: { postIds: postId } });
  }
}
