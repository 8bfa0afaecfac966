import { type Connection, Types } from 'mongoose';
import { postModel } from './post.model';

/** The status a closed account's posts take while it can still come back; the old one is kept beside it. */
const CLOSED = 'closed';

/**
 * While an account is closed its posts are hidden: the status is swapped for "closed" (never public, see
 * post-queries.ts) and the old one kept beside it, then swapped back if the account comes back. By the raw
 * driver, since the model's enum knows no "closed". One of account deletion's closing steps.
 */
export function hidePostsWhileClosed(connection: Connection): {
  close(user: { readonly id: string }): Promise<void>;
  reopen(userId: string): Promise<void>;
} {
  const posts = () => postModel(connection).collection;
  return {
    async close(user) {
      await posts().updateMany({ authorId: new Types.ObjectId(user.id), status: { $ne: CLOSED } }, [
        { $set: { statusBeforeClosing: '$status', status: CLOSED } },
      ]);
    },
    async reopen(userId) {
      await posts().updateMany({ authorId: new Types.ObjectId(userId), status: CLOSED }, [
        { $set: { status: '$statusBeforeClosing' } },
        { $unset: 'statusBeforeClosing' },
      ]);
    },
  };
}
