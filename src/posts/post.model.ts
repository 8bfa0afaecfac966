import { type Connection, type InferSchemaType, type Model, Schema } from 'mongoose';
import { excerptOf, type ImageLookup, plainText, readingMinutes, renderPostBody } from './markdown';

export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;
export const TAGS_MAX = 5;
export const POST_STATUSES = ['draft', 'published'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

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
    /** Slugs (see tags.ts), at most TAGS_MAX. */
    tags: { type: [String], default: [] },
    /** A draft is seen by its author only; a published post is public once `publishedAt` has come. */
    status: { type: String, enum: POST_STATUSES, default: 'published', required: true },
    /**
     * When the post is (or will be) public; lists sort by it. Unset for a draft. A future time schedules the
     * post: no job runs then, every public query asks for `publishedAt <= now` (post-queries.ts).
     */
    publishedAt: { type: Date },
    /** Ids of the author's pictures the body shows (set with bodyHtml): what makes a picture public. */
    imageIds: { type: [String], default: [] },
    /** One of the author's pictures (src/images), shown on the post, in lists and as og:image. */
    coverImage: { type: String },
    /** The cover's size, WebP widths and alt text, kept with it so pages render it without a lookup. */
    cover: {
      type: new Schema(
        { width: Number, height: Number, variantWidths: [Number], alt: String },
        { _id: false, strict: 'throw' },
      ),
      default: undefined,
    },
    /** Kept by the comment handlers with $inc, so summaries show counts without a second query. */
    commentCount: { type: Number, default: 0, min: 0 },
  },
  {
    timestamps: true,
    strict: 'throw',
    // Acknowledged only once a majority of the replica set has it: a failover cannot roll it back.
    writeConcern: { w: 'majority' },
  },
);

/** What is stored beside the Markdown source, derived from it once per write (see bodyHtml). */
export function renderedFields(
  body: string,
  images?: ImageLookup,
): { bodyHtml: string; excerpt: string; readingMinutes: number; imageIds: string[] } {
  const { html: bodyHtml, imageIds } = renderPostBody(body, images);
  const text = plainText(bodyHtml);
  return { bodyHtml, excerpt: excerptOf(text), readingMinutes: readingMinutes(text), imageIds };
}

postSchema.pre('validate', function renderBody() {
  // A published post without a time (created through the API, or inserted by a seed) is public from now.
  if (this.status === 'published' && !this.publishedAt) this.publishedAt = this.createdAt ?? new Date();
  if (!this.isModified('body') && this.bodyHtml) return;
  // Rendered by the caller with what only it could look up (its pictures' sizes: posts.handlers.ts).
  if (this.isNew && this.bodyHtml) return;
  this.set(renderedFields(this.body));
});

// The public lists (front page, tag and author pages, feeds): published, due, newest first; _id breaks ties.
postSchema.index({ status: 1, publishedAt: -1, _id: -1 });
postSchema.index({ tags: 1, status: 1, publishedAt: -1, _id: -1 });
// An author's page and their drafts.
postSchema.index({ authorId: 1, status: 1, publishedAt: -1, _id: -1 });
// Search: words of the title count most, then tags, then the body.
postSchema.index(
  { title: 'text', tags: 'text', body: 'text' },
  { name: 'post_text', weights: { title: 10, tags: 5, body: 1 }, default_language: 'english' },
);

export type Post = InferSchemaType<typeof postSchema>;
export type PostModel = Model<Post>;

export function postModel(connection: Connection): PostModel {
  return (connection.models.Post as PostModel | undefined) ?? connection.model<Post>('Post', postSchema);
}
