import type { Connection } from 'mongoose';
import type { PersonalData } from '../db/personal-data';
import { ImageStore } from './image-store';
import { imageUrl } from './image-urls';

/** An account's pictures: the purge removes every one (all variants, orphans too); the export lists them. */
export function imagesPersonalData(connection: Connection, now: () => number): PersonalData {
  const store = new ImageStore(connection, now);
  return {
    name: 'images',
    prepare: () => store.prepare(),
    forgetUser: (user) => store.removeAllOf(user.id),
    exportUser: async (user) =>
      (await store.listOf(user.id)).map((r) => ({
        id: r._id,
        url: imageUrl(r._id),
        alt: r.alt,
        format: r.format,
        width: r.width,
        height: r.height,
        bytes: r.bytes,
        sha256: r.sha256,
        variants: r.variants.map((v) => ({ url: imageUrl(r._id, v.name), width: v.width, bytes: v.bytes })),
        createdAt: r.createdAt,
      })),
  };
}
