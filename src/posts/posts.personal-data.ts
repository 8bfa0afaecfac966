import type { Connection } from 'mongoose';
import { ensureCollection } from '../db/collections';
import type { PersonalData } from '../db/personal-data';
import { postModel } from './post.model';
import { preparePosts } from './prepare-posts';
import { purgeAuthorContent } from './purge-author';

/** A user's posts: with every comment on them when the user is forgotten; their Markdown in the export. */
export function postsPersonalData(connection: Connection): PersonalData {
  const posts = postModel(connection);
  return {
    name: 'posts',
    async prepare() {
      await ensureCollection(connection, posts.collection.collectionName);
      await posts.createIndexes();
      await renderLegacyPosts(connection);
      await preparePosts(connection);
    },
    async forgetUser(user) {
      await purgeAuthorContent(connection, user.id);
    },
    async exportUser(user) {
      const own = await posts
        .find(
          { authorId: user.id },
          { title: 1, body: 1, tags: 1, status: 1, publishedAt: 1, createdAt: 1, updatedAt: 1 },
        )
        .sort({ createdAt: 1 })
        .lean();
      return own.map(({ _id, ...p }) => ({ id: String(_id), ...p }));
    },
  };
}

/** Posts written before Markdown was rendered on save get their HTML, excerpt and reading time once. */
async function renderLegacyPosts(connection: Connection): Promise<void> {
  const posts = postModel(connection);
  for await (const post of posts.find({ bodyHtml: { $exists: false } })) {
    post.markModified('body');
    await post.save({ timestamps: false });
  }
}
