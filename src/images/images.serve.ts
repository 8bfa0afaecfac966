import type { Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import { NotFoundError } from '../http/errors';
import type { PostModel } from '../posts/post.model';
import { publishedFilter } from '../posts/post-queries';
import { IMAGE_ID, type ImageRecord, type ImageStore, type StoredVariant } from './image-store';

export const PUBLIC_CACHE = 'public, max-age=31536000, immutable';
export const PRIVATE_CACHE = 'private, no-store';
const VARIANT_NAME = /^(original|\d{3,4}\.webp)$/;

interface Known {
  readonly record: ImageRecord | null;
  readonly isPublic: boolean;
}

export interface ServeDeps {
  readonly store: ImageStore;
  readonly posts: PostModel;
  readonly now: () => number;
  /** How long this process may go on trusting what it looked up (a delete or an unpublish elsewhere). */
  readonly recheckMs: number;
  /** Bytes of hot variants kept in memory. */
  readonly cacheBytes?: number;
}

/**
 * Serving pictures, in two steps around the session middleware:
 * - `early` runs before the request log, compression and any session work: a picture of a public post is
 *   answered from here (from memory when hot) with the least work per request — the same path for every
 *   reader, signed in or not;
 * - `late` runs after it and answers only the owner, for a picture not (yet) in a public post; everyone
 *   else gets the 404 an unknown picture gets.
 * What a lookup found (the record and whether a public post shows it) is kept for `recheckMs` at most, so
 * another process's delete or unpublish reaches this one within PAGE_CACHE_SECONDS.
 */
export class ImageServer {
  private readonly known: LRUCache<string, Known> | undefined;
  private readonly bytes: LRUCache<string, Buffer>;
  /** Lookups under way: when an entry expires under load, one query answers every request waiting for it. */
  private readonly pending = new Map<string, Promise<Known>>();

  constructor(private readonly deps: ServeDeps) {
    this.known = deps.recheckMs > 0 ? new LRUCache<string, Known>({ max: 5_000, ttl: deps.recheckMs }) : undefined;
    const maxSize = deps.cacheBytes ?? 64 * 2 ** 20;
    // Bounded by bytes, not entries: a few large fallbacks cannot push the process past maxSize.
    this.bytes = new LRUCache<string, Buffer>({
      maxSize,
      maxEntrySize: Math.floor(maxSize / 4),
      sizeCalculation: (b) => Math.max(1, b.length),
    });
  }

  /** Forgets what this process knows of a picture (after it deleted it). */
  forget(record: ImageRecord): void {
    this.known?.delete(record._id);
    for (const v of record.variants) this.bytes.delete(String(v.fileId));
  }

  /** What is known of a picture: at once from memory when it can be, else from MongoDB. */
  private lookup(id: string): Known | Promise<Known> {
    const cached = this.known?.get(id);
    if (cached && (cached.isPublic || !cached.record)) return cached;
    const running = this.pending.get(id);
    if (running) return running;
    const started = this.lookUp(id).finally(() => this.pending.delete(id));
    this.pending.set(id, started);
    return started;
  }

  private async lookUp(id: string): Promise<Known> {
    const cached = this.known?.get(id);
    // "Public" and "no such picture" are kept; "not public yet" is asked again each time, so the owner's
    // publishing shows at once (those requests are the owner's own, or 404s).
    if (cached && (cached.isPublic || !cached.record)) return cached;
    const record = cached ? cached.record : await this.deps.store.find(id);
    const isPublic = record ? await this.isInPublicPost(record) : false;
    const found = { record, isPublic };
    if (!cached || isPublic) this.known?.set(id, found);
    return found;
  }

  /** Public once a post of its owner that is public now shows it (in the body or as the cover). */
  private async isInPublicPost(record: ImageRecord): Promise<boolean> {
    const hit = await this.deps.posts.exists(
      publishedFilter(new Date(this.deps.now()), {
        authorId: new Types.ObjectId(String(record.ownerId)),
        $or: [{ imageIds: record._id }, { coverImage: record._id }],
      }),
    );
    return hit !== null;
  }

  private async readBytes(variant: StoredVariant): Promise<Buffer> {
    const key = String(variant.fileId);
    const hit = this.bytes.get(key);
    if (hit) return hit;
    const data = await this.deps.store.readFile(variant.fileId);
    this.bytes.set(key, data);
    return data;
  }

  /** Answers with the variant; synchronous when its bytes are in memory (the hot path of a public picture). */
  private send(req: Request, res: Response, variant: StoredVariant, cacheControl: string): void | Promise<void> {
    res.setHeader('Content-Type', variant.contentType);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('ETag', `"${variant.sha256}"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    const hit = this.bytes.get(String(variant.fileId));
    if (hit) return this.write(req, res, hit);
    return this.readBytes(variant).then((data) => this.write(req, res, data));
  }

  private write(req: Request, res: Response, data: Buffer): void {
    res.setHeader('Content-Length', data.length);
    if (req.method === 'HEAD') res.end();
    else res.end(data);
  }

  /**
   * Answers a public picture and nothing else: anything else (a bad name, an unknown id, a picture not public
   * yet) goes on through the app — logged, with the session — to `late`, which answers the owner or 404s.
   */
  early(): RequestHandler {
    const answer = (req: Request, res: Response, next: () => void, name: string, known: Known) => {
      const { record, isPublic } = known;
      const variant = record?.variants.find((v) => v.name === name);
      if (record && variant) {
        if (isPublic) return this.send(req, res, variant, PUBLIC_CACHE);
        res.locals.privateImage = { record, variant };
      }
      next();
    };
    return (req, res, next) => {
      const id = String(req.params.id);
      const name = typeof req.params.variant === 'string' ? req.params.variant : 'original';
      if (!IMAGE_ID.test(id) || !VARIANT_NAME.test(name)) return next();
      const known = this.lookup(id);
      if (known instanceof Promise) return known.then((k) => answer(req, res, next, name, k));
      return answer(req, res, next, name, known);
    };
  }

  late(): RequestHandler {
    return async (req, res) => {
      const found = res.locals.privateImage as { record: ImageRecord; variant: StoredVariant } | undefined;
      if (!found || String(found.record.ownerId) !== req.session.user?.id) {
        throw new NotFoundError('No such picture');
      }
      await this.send(req, res, found.variant, PRIVATE_CACHE);
    };
  }
}
