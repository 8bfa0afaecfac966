import sharp from 'sharp';
import { HttpError } from '../http/errors';
import { CONTENT_TYPES, type ImageFormat, SIGNATURE_BYTES, sniffFormat } from './image-format';

/** Decompression bombs: a picture larger than this is refused from its header, before a pixel is decoded. */
export const MAX_PIXELS = 40_000_000;
/** Widths of the WebP copies made for `srcset` (only those narrower than the picture itself). */
export const VARIANT_WIDTHS = [480, 960, 1600] as const;
/** The copy in the uploaded format (the fallback `src`) fits in this square: nobody's screen needs more. */
export const FALLBACK_MAX = 2400;

// libvips keeps recent operations (decoded pixels included) in a cache that helps when the same input is
// processed again; every upload here is new, so the cache would only hold memory a burst of uploads needs.
sharp.cache(false);

export class UnsupportedImageError extends HttpError {
  constructor(message = 'Only JPEG, PNG, WebP, GIF and AVIF pictures can be uploaded') {
    super(415, message);
  }
}

export class ImageTooLargeError extends HttpError {
  constructor(width: number, height: number) {
    super(
      422,
      `This picture is ${width} × ${height} pixels; up to ${MAX_PIXELS / 1_000_000} megapixels can be uploaded`,
    );
  }
}

export interface InspectedImage {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

/** The first bytes of a file name a format Folio takes: checked while the upload is still arriving. */
export function signatureAccepted(head: Buffer): boolean {
  return sniffFormat(head.subarray(0, SIGNATURE_BYTES)) !== undefined;
}

/**
 * Reads the header only (sharp's metadata() never decodes pixels), so a 100,000 × 100,000 PNG costs a few
 * bytes of parsing. The decoder must agree with the signature: a JPEG header in front of something else, or
 * a file libvips reads as another format (SVG, PDF, TIFF…), is refused.
 */
export async function inspectImage(bytes: Buffer): Promise<InspectedImage> {
  const announced = sniffFormat(bytes.subarray(0, SIGNATURE_BYTES));
  if (!announced) throw new UnsupportedImageError();
  let meta: sharp.Metadata;
  try {
    // The pixel limit is ours to judge below (with a message); metadata() alone allocates no pixels.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new UnsupportedImageError('This file could not be read as a picture');
  }
  const decoded = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format;
  if (decoded !== announced) throw new UnsupportedImageError();
  // Animated GIF and WebP: only the first frame is kept, so its size (pageHeight) is what gets decoded.
  const height = meta.pageHeight ?? meta.height;
  if (!meta.width || !height) throw new UnsupportedImageError('This file could not be read as a picture');
  if (meta.width * height > MAX_PIXELS) throw new ImageTooLargeError(meta.width, height);
  return { format: announced, width: meta.width, height };
}

export interface EncodedFile {
  /** `original` (the uploaded format) or `<width>.webp`. */
  readonly name: string;
  readonly contentType: string;
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

function encodeAs(pipeline: sharp.Sharp, format: ImageFormat): sharp.Sharp {
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality: 82, progressive: true });
    case 'png':
      return pipeline.png({ compressionLevel: 8 });
    case 'webp':
      return pipeline.webp({ quality: 80 });
    case 'gif':
      return pipeline.gif();
    case 'avif':
      // effort 2: AVIF encoding at the default effort takes seconds per megapixel on a small server.
      return pipeline.avif({ quality: 55, effort: 2 });
  }
}

/**
 * Every byte served is made here, never copied from the upload: decoded (first frame only, within
 * MAX_PIXELS even if the header lied), turned upright by its EXIF orientation, and encoded again. sharp
 * writes no metadata unless asked (no EXIF, XMP, IPTC, GPS, comments or maker notes), converts to sRGB and
 * drops the embedded ICC profile. Runs on libuv's thread pool, off the event loop; callers bound how many
 * run at once (see Semaphore).
 */
export async function encodeImage(bytes: Buffer, inspected: InspectedImage): Promise<EncodedFile[]> {
  // Decoded once, upright and at most FALLBACK_MAX, to raw pixels (≤ 2400 × 2400 × 4 bytes = 23 MB): every
  // copy below is made from them, rather than decoding a 12-megapixel JPEG four times.
  const { data: pixels, info } = await sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error', autoOrient: true })
    .resize({ width: FALLBACK_MAX, height: FALLBACK_MAX, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  const input = sharp(pixels, { raw });
  const fallback = await encodeAs(input.clone(), inspected.format).toBuffer({ resolveWithObject: true });
  const files: EncodedFile[] = [
    {
      name: 'original',
      contentType: CONTENT_TYPES[inspected.format],
      data: fallback.data,
      width: fallback.info.width,
      height: fallback.info.height,
    },
  ];
  // One after the other: a single upload never holds more than one set of decoded pixels.
  for (const width of VARIANT_WIDTHS) {
    if (width >= fallback.info.width) break;
    const out = await input.clone().resize({ width }).webp({ quality: 78 }).toBuffer({ resolveWithObject: true });
    files.push({
      name: `${width}.webp`,
      contentType: CONTENT_TYPES.webp,
      data: out.data,
      width: out.info.width,
      height: out.info.height,
    });
  }
  return files;
}
