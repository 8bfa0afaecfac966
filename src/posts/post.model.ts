import { type Connection, type InferSchemaType, type Model, Schema } from 'mongoose';

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
  },
  { timestamps: true, strict: 'throw' },
);

// The list page's sort key; _id breaks ties between posts created in the same millisecond.
postSchema.index({ createdAt: -1, _id: -1 });

export type Post = InferSchemaType<typeof postSchema>;
export type PostModel = Model<Post>;

export function postModel(connection: Connection): PostModel {
  return (connection.models.Post as PostModel | undefined) ?? connection.model<Post>('Post', postSchema);
}
