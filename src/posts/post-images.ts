import { FormError } from '../http/errors';
import type { ImageLayout, ImageLookup } from './markdown';
import { imageIdsIn } from './markdown';

/** What the posts feature needs of uploaded pictures (src/images implements it; app.ts passes it in). */
export interface PostImages {
  /** Layouts of the pictures among `ids` that belong to `ownerId`. */
  layouts(ownerId: string, ids: readonly string[]): Promise<Map<string, ImageLayout & { readonly alt: string }>>;
}

/** As the post stores it. */
export interface StoredCover {
  width: number;
  height: number;
  variantWidths: number[];
  alt: string;
}

export interface PostPictures {
  readonly lookup: ImageLookup;
  /** The cover's fields for the post, or an unset cover. */
  readonly cover: { coverImage: string; cover: StoredCover } | undefined;
}

/**
 * Looks up the author's pictures a post names, before it is rendered and saved: their sizes go into the
 * HTML, and a cover must be one of the author's own pictures (422 on the field otherwise).
 */
export async function picturesFor(
  images: PostImages | undefined,
  ownerId: string,
  body: string,
  coverImage: string | undefined,
  form: { view: string; locals: Record<string, unknown>; values: Record<string, unknown> },
): Promise<PostPictures> {
  const ids = imageIdsIn(body);
  if (coverImage) ids.push(coverImage);
  const found = images && ids.length > 0 ? await images.layouts(ownerId, ids) : new Map();
  const lookup: ImageLookup = (id) => found.get(id);
  if (!coverImage) return { lookup, cover: undefined };
  const cover = found.get(coverImage);
  if (!cover) {
    throw new FormError(422, form.view, form.locals, { coverImage: 'Choose one of your own pictures' }, form.values);
  }
  const { width, height, variantWidths, alt } = cover;
  return { lookup, cover: { coverImage, cover: { width, height, variantWidths: [...variantWidths], alt } } };
}
