import { type Connection, type InferSchemaType, type Model, Schema } from 'mongoose';
import { renderCommentMarkdown } from '../markdown';

export const COMMENT_MAX = 2_000;

const commentSchema = new Schema(
  {
    postId: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    authorId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    /** Denormalised, like a post's author name: showing comments costs one query. */
    authorName: { type: String, required: true },
    /** Markdown source (the comment subset: emphasis, code, links). */
    body: { type: String, required: true, maxlength: COMMENT_MAX },
    /** Rendered and sanitised once, on save. */
    bodyHtml: { type: String, default: '' },
    /**
     * Absent: shown to everyone. `held`: a first comment waiting for an editor (comments `first-held`);
     * `hidden`: hidden by a moderator. Either way its author still sees it, marked (src/moderation).
     */
    moderation: { type: String, enum: ['held', 'hidden'] },
    /** Set while its author is suspended: shown to nobody else. */
    authorSuspended: { type: Boolean },
  },
  { timestamps: true, strict: 'throw', writeConcern: { w: 'majority' } },
);

commentSchema.pre('validate', function renderBody() {
  if (this.isModified('body') || !this.bodyHtml) this.bodyHtml = renderCommentMarkdown(this.body);
});

// A post's comments, oldest first; also how they are deleted with their post.
commentSchema.index({ postId: 1, createdAt: 1, _id: 1 });
// A user's comments (for when an account and everything it wrote goes).
commentSchema.index({ authorId: 1 });
// The moderation queue: held and hidden comments only.
commentSchema.index({ moderation: 1, createdAt: -1 }, { partialFilterExpression: { moderation: { $exists: true } } });

export type Comment = InferSchemaType<typeof commentSchema>;
export type CommentModel = Model<Comment>;

export function commentModel(connection: Connection): CommentModel {
  return (connection.models.Comment as CommentModel | undefined) ?? connection.model<Comment>('Comment', commentSchema);
}
