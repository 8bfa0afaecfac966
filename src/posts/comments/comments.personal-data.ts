import type { Connection } from 'mongoose';
import type { PersonalData } from '../../db/personal-data';
import { commentModel } from './comment.model';
import { forgetCommenter } from './forget-commenter';

/**
 * A user's comments, wherever they are (the comments others wrote under the user's posts go with those
 * posts: posts.personal-data.ts). The collection and its indexes are made with the posts (prepare-posts.ts).
 */
export function commentsPersonalData(connection: Connection): PersonalData {
  const comments = commentModel(connection);
  return {
    name: 'comments',
    async forgetUser(user) {
      await forgetCommenter(connection, user.id);
    },
    async exportUser(user) {
      const own = await comments
        .find({ authorId: user.id }, { postId: 1, body: 1, createdAt: 1 })
        .sort({ createdAt: 1 })
        .lean();
      return own.map(({ _id, postId, ...c }) => ({ id: String(_id), postId: String(postId), ...c }));
    },
  };
}
