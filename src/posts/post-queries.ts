import type { QueryFilter, Types } from 'mongoose';
import type { Post, PostModel } from './post.model';

/**
 * Every query that lists posts to readers goes through this module, so what "public" means is decided in
 * one place: a published post whose time has come. Drafts and scheduled posts never leave it. (A later
 * feature that hides an author's posts, e.g. account deletion, adds its condition to `publishedFilter`.)
 */

export const PAGE_SIZE = 10;
export const FEED_SIZE = 20;

/** The fields a post summary shows: stored excerpt, reading time, tags and comment count, never the body. */
export const LIST_FIELDS = {
  title: 1,
  authorName: 1,
  createdAt: 1,
  publishedAt: 1,
  excerpt: 1,
  readingMinutes: 1,
  tags: 1,
  commentCount: 1,
  coverImage: 1,
  cover: 1,
} as const;

export type PostSummary = Pick<
  Post,
  | 'title'
  | 'authorName'
  | 'createdAt'
  | 'publishedAt'
  | 'excerpt'
  | 'readingMinutes'
  | 'tags'
  | 'commentCount'
  | 'coverImage'
  | 'cover'
> & { _id: Types.ObjectId };

/** Published and due at `now`. No job publishes a scheduled post: it simply starts matching. */
export function publishedFilter(now: Date, extra: QueryFilter<Post> = {}): QueryFilter<Post> {
  return { ...extra, status: 'published', publishedAt: { $lte: now } };
}

/** Whether one loaded post is public at `now` (the same rule as publishedFilter, for a single document). */
export function isPublic(post: Pick<Post, 'status' | 'publishedAt'>, now: Date): boolean {
  return post.status === 'published' && post.publishedAt != null && post.publishedAt.getTime() <= now.getTime();
}

/** Newest first by publication time, served by the { …, status, publishedAt: -1, _id: -1 } indexes. */
const NEWEST = { publishedAt: -1, _id: -1 } as const;

export interface Page<T> {
  readonly items: T[];
  readonly hasNext: boolean;
}

/**
 * One page of public posts in one query: one post more than a page is asked for, to know whether an older
 * page exists, so no count is needed (test/perf checks the plan with explain).
 */
export async function listPublished(
  posts: PostModel,
  now: Date,
  page: number,
  extra: QueryFilter<Post> = {},
): Promise<Page<PostSummary>> {
  const found = (await posts
    .find(publishedFilter(now, extra), LIST_FIELDS)
    .sort(NEWEST)
    .skip((page - 1) * PAGE_SIZE)
    .limit(PAGE_SIZE + 1)
    .lean()) as PostSummary[];
  return { items: found.slice(0, PAGE_SIZE), hasNext: found.length > PAGE_SIZE };
}

export function countPublished(posts: PostModel, now: Date, extra: QueryFilter<Post> = {}): Promise<number> {
  return posts.countDocuments(publishedFilter(now, extra));
}

export type FeedPost = PostSummary & Pick<Post, 'bodyHtml' | 'authorId' | 'editedAt' | 'updatedAt'>;

/** The latest FEED_SIZE public posts with their HTML, for feeds. */
export async function latestForFeed(posts: PostModel, now: Date, extra: QueryFilter<Post> = {}): Promise<FeedPost[]> {
  return (await posts
    .find(publishedFilter(now, extra), { ...LIST_FIELDS, bodyHtml: 1, authorId: 1, editedAt: 1, updatedAt: 1 })
    .sort(NEWEST)
    .limit(FEED_SIZE)
    .lean()) as FeedPost[];
}

/** An author's drafts and scheduled posts: everything of theirs that is not public yet, latest change first. */
export async function unpublishedOf(posts: PostModel, authorId: string, now: Date) {
  return (await posts
    .find(
      { authorId, $or: [{ status: 'draft' }, { publishedAt: { $gt: now } }] },
      { ...LIST_FIELDS, status: 1, updatedAt: 1 },
    )
    .sort({ updatedAt: -1, _id: -1 })
    .limit(200)
    .lean()) as (PostSummary & Pick<Post, 'status' | 'updatedAt'>)[];
}

/** Ranked text search over public posts (title weighted highest), a page at a time. */
export function searchQuery(posts: PostModel, query: string, now: Date, page: number) {
  return posts
    .find(publishedFilter(now, { $text: { $search: query } }), { ...LIST_FIELDS, score: { $meta: 'textScore' } })
    .sort({ score: { $meta: 'textScore' }, publishedAt: -1, _id: -1 })
    .skip((page - 1) * PAGE_SIZE)
    .limit(PAGE_SIZE + 1)
    .lean();
}

export async function searchPublished(
  posts: PostModel,
  query: string,
  now: Date,
  page: number,
): Promise<Page<PostSummary>> {
  const found = (await searchQuery(posts, query, now, page)) as PostSummary[];
  return { items: found.slice(0, PAGE_SIZE), hasNext: found.length > PAGE_SIZE };
}
