import { type Connection, type InferSchemaType, type Model, Schema } from 'mongoose';
import { excerptOf, plainText, readingMinutes, renderMarkdown } from './markdown';

export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;

const postSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: TITLE_MAX },
    /** Markdown source, as the author wrote it. */
    body: { type: String, required: true, maxlength: BODY_MAX },
    authorId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    /** Denormalised so listing posts never needs a second query for authors' names. */
    authorName: { type: String, required: true },
    /**
     * Rendered once, when the body is saved, and stored beside the source: a page view then costs no
     * Markdown parsing or sanitising at all (see README, "Performance").
     */
    bodyHtml: { type: String, default: '' },
    excerpt: { type: String, default: '' },
    readingMinutes: { type: Number, default: 1 },
    /** Set when the author edits the post (updatedAt moves with any write). */
    editedAt: { type: Date },
  },
  {
    timestamps: true,
    strict: 'throw',
    // Acknowledged only once a majority of the replica set has it: a failover cannot roll it back.
    writeConcern: { w: 'majority' },
  },
);

postSchema.pre('validate', function renderBody() {
  if (!this.isModified('body') && this.bodyHtml) return;
  this.bodyHtml = renderMarkdown(this.body);
  const text = plainText(this.bodyHtml);
  this.excerpt = excerptOf(text);
  this.readingMinutes = readingMinutes(text);
});

// The list page's sort key; _id breaks ties between posts created in the same millisecond.
postSchema.index({ createdAt: -1, _id: -1 });
// An author's page: their posts, newest first.
postSchema.index({ authorId: 1, createdAt: -1, _id: -1 });

export type Post = InferSchemaType<typeof postSchema>;
export type PostModel = Model<Post>;

export function postModel(connection: Connection): PostModel {
  return (connection.models.Post as PostModel | undefined) ?? connection.model<Post>('Post', postSchema);
}
