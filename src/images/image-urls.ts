import type { ImageRecord } from './image-store';

/** Where a picture is served: its id is content-addressed, so the URL names these bytes for good. */
export function imageUrl(id: string, variant = 'original'): string {
  return variant === 'original' ? `/images/${id}` : `/images/${id}/${variant}`;
}

/** Alt text inside `![…]`: brackets and backslashes escaped, so the text cannot end the image early. */
export function markdownAlt(alt: string): string {
  return alt.replace(/[\\[\]]/g, '\\$&');
}

/** The JSON a client gets for one picture (the upload's answer), with the Markdown that shows it. */
export function imageJson(record: ImageRecord, alt = record.alt) {
  const url = imageUrl(record._id);
  return {
    id: record._id,
    url,
    width: record.width,
    height: record.height,
    alt,
    markdown: `![${markdownAlt(alt)}](${url})`,
  };
}

/** Width and height of the served picture and the WebP widths made, as the Markdown renderer needs them. */
export interface ImageLayout {
  readonly width: number;
  readonly height: number;
  readonly variantWidths: readonly number[];
}

export function layoutOf(record: ImageRecord): ImageLayout {
  return {
    width: record.width,
    height: record.height,
    variantWidths: record.variants.filter((v) => v.name.endsWith('.webp')).map((v) => v.width),
  };
}
