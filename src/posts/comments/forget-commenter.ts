import { type Connection, Types } from 'mongoose';
import { postModel } from '../post.model';
import { commentModel } from './comment.model';

/** Every comment the user wrote, gone, and the counts of the posts they were on corrected. Idempotent. */
export async function forgetCommenter(connection: Connection, authorId: Types.ObjectId | string): Promise<number> {
  const comments = commentModel(connection);
  const perPost = await comments.aggregate<{ _id: Types.ObjectId; n: number }>([
    // Aggregation stages are not cast by mongoose: the id must already be an ObjectId.
    { $match: { authorId: new Types.ObjectId(String(authorId)) } },
    { $group: { _id: '$postId', n: { $sum: 1 } } },
  ]);
  const { deletedCount } = await comments.deleteMany({ authorId });
  if (perPost.length > 0) {
    await postModel(connection).bulkWrite(
      perPost.map(({ _id, n }) => ({
        updateOne: { filter: { _id, commentCount: { $gte: n } }, update: { $inc: { commentCount: -n } } },
      })),
    );
  }
  return deletedCount;
}
