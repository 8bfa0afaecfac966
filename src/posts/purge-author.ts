import { type Connection, Types } from 'mongoose';
import { commentModel } from './comments/comment.model';
import { postModel } from './post.model';

/**
 * Everything an author wrote, gone: their posts (with every comment on them), and their comments on other
 * people's posts (whose counts go down to match). For account deletion's purge; the caller clears the page
 * cache afterwards if it runs outside a request (a request's write clears it by itself).
 */
export async function purgeAuthorContent(
  connection: Connection,
  authorId: Types.ObjectId | string,
): Promise<{ posts: number; comments: number }> {
  const posts = postModel(connection);
  const comments = commentModel(connection);
  const own = (await posts.find({ authorId }, { _id: 1 }).lean()).map((p) => p._id);
  const onOwn = own.length > 0 ? await comments.deleteMany({ postId: { $in: own } }) : { deletedCount: 0 };
  const removedPosts = await posts.deleteMany({ authorId });
  const perPost = await comments.aggregate<{ _id: Types.ObjectId; n: number }>([
    // Aggregation stages are not cast by mongoose: the id must already be an ObjectId.
    { $match: { authorId: new Types.ObjectId(String(authorId)) } },
    { $group: { _id: '$postId', n: { $sum: 1 } } },
  ]);
  const elsewhere = await comments.deleteMany({ authorId });
  if (perPost.length > 0) {
    await posts.bulkWrite(
      perPost.map(({ _id, n }) => ({
        updateOne: { filter: { _id, commentCount: { $gte: n } }, update: { $inc: { commentCount: -n } } },
      })),
    );
  }
  return { posts: removedPosts.deletedCount, comments: onOwn.deletedCount + elsewhere.deletedCount };
}
