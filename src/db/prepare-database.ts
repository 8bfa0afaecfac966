import type { Connection } from 'mongoose';
import { PAGE_VIEWS_COLLECTION } from '../account/page-views';
import { prepareFactors } from '../factors/factors.store';
import { prepareMail } from '../mail/outbox';
import { postModel } from '../posts/post.model';
import { preparePosts } from '../posts/prepare-posts';
import { prepareReadingLists } from '../reading-list/reading-list.store';
import { THROTTLE_COLLECTION } from '../security/login-throttle';
import { prepareSecurityLog } from '../security-log/security-log';
import { prepareSessionStore, SESSIONS_COLLECTION } from '../session/session-store';
import { prepareAccountTokens } from '../users/account-tokens';
import { userModel } from '../users/user.model';

const NAMESPACE_EXISTS = 48;

/**
 * Creates every collection and index the app relies on before it serves traffic:
 * - unique usernames and the posts sort key exist from the first request (a lazily built unique index can
 *   let a duplicate through on a fresh database);
 * - collections are never created implicitly by concurrent first writes. Two requests racing to create the
 *   same collection make mongod throw a WriteConflict internally, which crashes the Windows build of mongod
 *   that runs under Wine on machines without internet (see README, "MongoDB, three ways").
 */
export async function prepareDatabase(
  connection: Connection,
  options: { readonly securityLogDays?: number } = {},
): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('prepareDatabase needs an open connection');
  const models = [userModel(connection), postModel(connection)];
  const wanted = [
    ...models.map((m) => m.collection.collectionName),
    SESSIONS_COLLECTION,
    THROTTLE_COLLECTION,
    PAGE_VIEWS_COLLECTION,
  ];
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of wanted.filter((n) => !existing.has(n))) {
    await db.createCollection(name).catch((err: { code?: number }) => {
      if (err.code !== NAMESPACE_EXISTS) throw err;
    });
  }
  await Promise.all(models.map((m) => m.createIndexes()));
  await renderLegacyPosts(connection);
  await preparePosts(connection);
  await prepareReadingLists(connection);
  await prepareSessionStore(connection);
  await prepareMail(connection);
  await prepareAccountTokens(connection);
  await prepareSecurityLog(connection, options.securityLogDays ?? 365);
  await prepareFactors(connection);
  // Page-view counters outlive no session: the longest a session can live is REMEMBER_ME_DAYS.
  await db.collection(PAGE_VIEWS_COLLECTION).createIndex({ updatedAt: 1 }, { expireAfterSeconds: 90 * 86_400 });
  // rate-limiter-flexible's documents: expire by TTL, one per key.
  const throttles = db.collection(THROTTLE_COLLECTION);
  await throttles.createIndex({ expire: -1 }, { expireAfterSeconds: 0 });
  await throttles.createIndex({ key: 1 }, { unique: true });
}

/** Posts written before Markdown was rendered on save get their HTML, excerpt and reading time once. */
async function renderLegacyPosts(connection: Connection): Promise<void> {
  const posts = postModel(connection);
  for await (const post of posts.find({ bodyHtml: { $exists: false } })) {
    post.markModified('body');
    await post.save({ timestamps: false });
  }
}
