import type { Connection, Types } from 'mongoose';
import { commentModel } from './comments/comment.model';
import { forgetCommenter } from './comments/forget-commenter';
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
  const elsewhere = await forgetCommenter(connection, authorId);
  return { posts: removedPosts.deletedCount, comments: onOwn.deletedCount + elsewhere };
}
