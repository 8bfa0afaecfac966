import { createHash, webcrypto } from 'node:crypto';
import mongoose, { type Connection, Types } from 'mongoose';
import type { ImageFormat } from './image-format';
import type { EncodedFile } from './image-processing';

/** GridFS bucket: `images.files` and `images.chunks`. */
export const IMAGES_BUCKET = 'images';
/** One document per picture: owner, alt, size, dimensions, sha256 and where each variant's bytes are. */
export const IMAGE_RECORDS_COLLECTION = 'image_records';
/** Bytes stored per account (variants included), kept with conditional $inc so the quota holds under races. */
export const IMAGE_USAGE_COLLECTION = 'image_usage';

const NAMESPACE_EXISTS = 48;
const DUPLICATE_KEY = 11000;

export interface StoredVariant {
  readonly name: string;
  readonly fileId: Types.ObjectId;
  readonly contentType: string;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  /** sha256 of the variant's bytes (base64url): its ETag. */
  readonly sha256: string;
}

export interface ImageRecord {
  /** Content-addressed: the first 128 bits of sha256(owner id, uploaded bytes), in hex. */
  readonly _id: string;
  readonly ownerId: Types.ObjectId;
  readonly alt: string;
  /** sha256 of the bytes as uploaded (hex); they are not kept. */
  readonly sha256: string;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Everything stored for it, all variants included: what counts against the quota. */
  readonly bytes: number;
  readonly variants: readonly StoredVariant[];
  readonly createdAt: Date;
}

interface Usage {
  _id: string;
  bytes: number;
}

export const IMAGE_ID = /^[0-9a-f]{32}$/;

/**
 * sha256 on libuv's thread pool (WebCrypto's digest is asynchronous in Node): hashing a 10 MB upload
 * synchronously would hold the event loop for tens of milliseconds.
 */
export async function sha256Of(bytes: Uint8Array): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes));
}

/** The id a picture gets: the same bytes from the same account are the same picture (and stored once). */
export async function contentId(ownerId: string, bytes: Buffer): Promise<{ id: string; sha256: string }> {
  const sha256 = (await sha256Of(bytes)).toString('hex');
  const id = createHash('sha256').update(ownerId).update('\0').update(sha256).digest('hex').slice(0, 32);
  return { id, sha256 };
}

export class ImageStore {
  constructor(
    private readonly connection: Connection,
    private readonly now: () => number,
  ) {}

  private get db() {
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    return db;
  }

  private get records() {
    return this.db.collection<ImageRecord>(IMAGE_RECORDS_COLLECTION);
  }

  private get usage() {
    return this.db.collection<Usage>(IMAGE_USAGE_COLLECTION);
  }

  private get bucket() {
    return new mongoose.mongo.GridFSBucket(this.db, { bucketName: IMAGES_BUCKET });
  }

  /**
   * Collections and indexes before the first request: GridFS would create its indexes lazily on a first
   * upload, and two uploads racing to create a collection crash the Wine-run mongod (prepare-database.ts).
   */
  async prepare(): Promise<void> {
    const names = [
      IMAGE_RECORDS_COLLECTION,
      IMAGE_USAGE_COLLECTION,
      `${IMAGES_BUCKET}.files`,
      `${IMAGES_BUCKET}.chunks`,
    ];
    const existing = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const name of names.filter((n) => !existing.has(n))) {
      await this.db.createCollection(name).catch((err: { code?: number }) => {
        if (err.code !== NAMESPACE_EXISTS) throw err;
      });
    }
    await this.records.createIndex({ ownerId: 1, createdAt: -1 });
    // The driver's own GridFS indexes, made now rather than by the first upload.
    await this.db.collection(`${IMAGES_BUCKET}.files`).createIndex({ filename: 1, uploadDate: 1 });
    await this.db.collection(`${IMAGES_BUCKET}.chunks`).createIndex({ files_id: 1, n: 1 }, { unique: true });
    // The purge finds an account's files even when their record was never written (a process died mid-upload).
    await this.db.collection(`${IMAGES_BUCKET}.files`).createIndex({ 'metadata.ownerId': 1 });
  }

  find(id: string): Promise<ImageRecord | null> {
    if (!IMAGE_ID.test(id)) return Promise.resolve(null);
    return this.records.findOne({ _id: id });
  }

  /** Records of the given ids that belong to `ownerId` (for rendering a post's pictures). */
  findOwned(ownerId: string, ids: readonly string[]): Promise<ImageRecord[]> {
    const valid = ids.filter((id) => IMAGE_ID.test(id));
    if (valid.length === 0 || !Types.ObjectId.isValid(ownerId)) return Promise.resolve([]);
    return this.records
      .find({ _id: { $in: valid }, ownerId: new Types.ObjectId(ownerId) })
      .limit(200)
      .toArray();
  }

  listOf(ownerId: string): Promise<ImageRecord[]> {
    return this.records
      .find({ ownerId: new Types.ObjectId(ownerId) })
      .sort({ createdAt: -1 })
      .limit(10_000)
      .toArray();
  }

  async usedBytes(ownerId: string): Promise<number> {
    return (await this.usage.findOne({ _id: ownerId }))?.bytes ?? 0;
  }

  /** Counts `bytes` against the account if they fit in `quota`; false (nothing counted) when they do not. */
  async reserve(ownerId: string, bytes: number, quota: number): Promise<boolean> {
    await this.usage.updateOne({ _id: ownerId }, { $setOnInsert: { bytes: 0 } }, { upsert: true }).catch((err) => {
      // Two first uploads upserting at once: one inserts, the other's duplicate key means the same.
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    });
    const { modifiedCount } = await this.usage.updateOne(
      { _id: ownerId, bytes: { $lte: quota - bytes } },
      { $inc: { bytes } },
    );
    return modifiedCount === 1;
  }

  async release(ownerId: string, bytes: number): Promise<void> {
    await this.usage.updateOne({ _id: ownerId }, { $inc: { bytes: -bytes } });
  }

  /**
   * Writes every variant to GridFS, then the record. The record's insert decides a race between two
   * uploads of the same picture: the loser removes its files and gets the winner's record.
   */
  async save(input: {
    id: string;
    sha256: string;
    ownerId: string;
    alt: string;
    format: ImageFormat;
    files: readonly EncodedFile[];
  }): Promise<{ record: ImageRecord; created: boolean }> {
    const ownerId = new Types.ObjectId(input.ownerId);
    const variants: StoredVariant[] = [];
    try {
      for (const file of input.files) {
        const fileId = await this.writeFile(`${input.id}/${file.name}`, file.data, {
          imageId: input.id,
          ownerId,
          variant: file.name,
          contentType: file.contentType,
        });
        variants.push({
          name: file.name,
          fileId,
          contentType: file.contentType,
          bytes: file.data.length,
          width: file.width,
          height: file.height,
          sha256: (await sha256Of(file.data)).toString('base64url'),
        });
      }
      const original = variants[0];
      if (!original) throw new Error('no variant was made');
      const record: ImageRecord = {
        _id: input.id,
        ownerId,
        alt: input.alt,
        sha256: input.sha256,
        format: input.format,
        width: original.width,
        height: original.height,
        bytes: variants.reduce((sum, v) => sum + v.bytes, 0),
        variants,
        createdAt: new Date(this.now()),
      };
      await this.records.insertOne(record);
      return { record, created: true };
    } catch (err) {
      await this.deleteFiles(variants.map((v) => v.fileId));
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      const winner = await this.records.findOne({ _id: input.id });
      if (!winner) throw err;
      return { record: winner, created: false };
    }
  }

  private writeFile(filename: string, data: Buffer, metadata: Record<string, unknown>): Promise<Types.ObjectId> {
    return new Promise((resolve, reject) => {
      const upload = this.bucket.openUploadStream(filename, { metadata });
      upload.once('error', reject);
      upload.once('finish', () => resolve(upload.id as Types.ObjectId));
      upload.end(data);
    });
  }

  /** One variant's bytes, whole (variants are at most a few MB; the cache in front keeps the hot ones). */
  async readFile(fileId: Types.ObjectId): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.bucket.openDownloadStream(fileId)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private async deleteFiles(fileIds: readonly Types.ObjectId[]): Promise<void> {
    if (fileIds.length === 0) return;
    // What bucket.delete() does, for many files at once and without failing on one already gone.
    await this.db.collection(`${IMAGES_BUCKET}.files`).deleteMany({ _id: { $in: [...fileIds] } });
    await this.db.collection(`${IMAGES_BUCKET}.chunks`).deleteMany({ files_id: { $in: [...fileIds] } });
  }

  /** Removes a picture and every variant; false when it was already gone (another request removed it). */
  async remove(record: ImageRecord): Promise<boolean> {
    const { deletedCount } = await this.records.deleteOne({ _id: record._id });
    await this.deleteFiles(record.variants.map((v) => v.fileId));
    if (deletedCount === 0) return false;
    await this.release(String(record.ownerId), record.bytes);
    return true;
  }

  /** Everything of one account: records, files (orphans of an interrupted upload too) and the usage count. */
  async removeAllOf(ownerId: string): Promise<void> {
    const owner = new Types.ObjectId(ownerId);
    const files = this.db.collection<{ _id: Types.ObjectId }>(`${IMAGES_BUCKET}.files`);
    // Bounded batches: an account holds at most IMAGE_QUOTA_MB, but a loop here must end regardless.
    for (let i = 0; i < 1_000; i++) {
      const batch = await files
        .find({ 'metadata.ownerId': owner }, { projection: { _id: 1 } })
        .limit(500)
        .toArray();
      if (batch.length === 0) break;
      await this.deleteFiles(batch.map((f) => f._id));
    }
    await this.records.deleteMany({ ownerId: owner });
    await this.usage.deleteOne({ _id: ownerId });
  }
}
