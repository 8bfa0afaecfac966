import type { Connection } from 'mongoose';
import { commentModel } from './comments/comment.model';
import { postModel } from './post.model';

const NAMESPACE_EXISTS = 48;

/**
 * Posts and comments: collections and indexes before traffic (the posts' own indexes, including the text
 * index, are built with the other models by prepareDatabase), and posts written before drafts, tags and
 * comments existed become published posts, public since they were created.
 */
export async function preparePosts(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('preparePosts needs an open connection');
  const comments = commentModel(connection);
  const exists = await db.listCollections({ name: comments.collection.collectionName }, { nameOnly: true }).toArray();
  if (exists.length === 0) {
    await db.createCollection(comments.collection.collectionName).catch((err: { code?: number }) => {
      if (err.code !== NAMESPACE_EXISTS) throw err;
    });
  }
  await comments.createIndexes();
  await postModel(connection).collection.updateMany({ status: { $exists: false } }, [
    { $set: { status: 'published', publishedAt: '$createdAt', tags: [], commentCount: 0 } },
  ]);
}
