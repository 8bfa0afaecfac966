import busboy from 'busboy';
import type { RequestHandler } from 'express';
import { ForbiddenError, HttpError, ServiceUnavailableError, UnauthenticatedError } from '../http/errors';
import { csrfTokenMatches } from '../security/csrf';
import { isCrossSiteRequest } from '../security/same-origin';
import { SIGNATURE_BYTES } from './image-format';
import { encodeImage, inspectImage, signatureAccepted, UnsupportedImageError } from './image-processing';
import { contentId, type ImageRecord, type ImageStore } from './image-store';
import { imageJson } from './image-urls';
import type { Semaphore } from './semaphore';

export const ALT_MAX = 500;
/** Room for the multipart framing around the file (boundaries, part headers, the alt and _csrf fields). */
const MULTIPART_OVERHEAD = 16 * 1024;

export class PayloadTooLargeError extends HttpError {
  constructor(message: string) {
    super(413, message);
  }
}

export interface UploadDeps {
  readonly store: ImageStore;
  readonly maxBytes: number;
  readonly quotaBytes: number;
  /** How many uploads may be received at once (each holds up to maxBytes in memory). */
  readonly receiving: Semaphore;
  /** How many pictures are decoded and encoded at once. */
  readonly processing: Semaphore;
}

/** Alt text as stored: no control characters (a line break becomes a space), trimmed. */
export function cleanAlt(raw: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return raw.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

const MB = 2 ** 20;

/**
 * POST /images (multipart: `image`, optional `alt`, and `_csrf` unless the X-CSRF-Token header carries it).
 * Mounted before the app's CSRF middleware, which cannot read a multipart body: this handler checks the
 * same things itself — same-origin by Origin / Sec-Fetch-Site, a signed-in session, and the session's
 * token, which must arrive before the file (a browser sends fields in the form's order, `_csrf` first).
 *
 * The body is streamed through busboy with every limit set. Refusals happen as early as the bytes allow:
 * a Content-Length over the limit before reading anything; a wrong signature on the first bytes; the
 * size limit the moment it is crossed. The rest of the body is then not read: the answer is sent with
 * `Connection: close` and Node closes the socket once it is out.
 */
export function uploadImage(deps: UploadDeps): RequestHandler {
  const { store, maxBytes, quotaBytes, receiving, processing } = deps;
  const tooLarge = () =>
    new PayloadTooLargeError(`This picture is larger than ${maxBytes / MB} MB; choose a smaller one`);

  return (req, res, next) => {
    let settled = false;
    const refuse = (err: unknown, close: boolean) => {
      if (settled) return;
      settled = true;
      req.unpipe();
      if (close) res.set('Connection', 'close');
      next(err);
    };

    if (isCrossSiteRequest(req)) return refuse(new ForbiddenError('Cross-site request refused'), true);
    const user = req.session.user;
    if (!user) return refuse(new UnauthenticatedError(), true);
    const headerToken = req.get('x-csrf-token');
    if (headerToken !== undefined && !csrfTokenMatches(req, headerToken)) {
      return refuse(new ForbiddenError('CSRF token missing or wrong'), true);
    }
    if (!/^multipart\/form-data\s*;/i.test(req.get('content-type') ?? '')) {
      // A form the body parsers did read: a forgery is a 403 like on every other route, anything else a 415.
      const field = (req.body as { _csrf?: unknown } | undefined)?._csrf;
      if (headerToken === undefined && !(typeof field === 'string' && csrfTokenMatches(req, field))) {
        return refuse(new ForbiddenError('CSRF token missing or wrong'), true);
      }
      return refuse(new UnsupportedImageError('Send the picture as multipart/form-data, in the field “image”'), true);
    }
    if (Number(req.get('content-length') ?? 0) > maxBytes + MULTIPART_OVERHEAD) return refuse(tooLarge(), true);

    void receiving.tryAcquire().then((admitted) => {
      if (!admitted) {
        res.set('Retry-After', '5');
        return refuse(new ServiceUnavailableError('Many pictures are being uploaded; try again in a moment'), true);
      }
      let released = false;
      const release = () => {
        if (!released) receiving.release();
        released = true;
      };
      res.once('close', release);
      receive(headerToken !== undefined);
    });

    function receive(csrfFromHeader: boolean) {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          limits: {
            fileSize: maxBytes,
            files: 1,
            fields: 3,
            parts: 4,
            fieldNameSize: 20,
            fieldSize: 4 * 1024,
            headerPairs: 10,
          },
        });
      } catch {
        return refuse(new HttpError(400, 'The upload is not valid multipart/form-data'), true);
      }
      let csrfOk = csrfFromHeader;
      let alt = '';
      let file: Buffer | undefined;
      const overLimit = () => refuse(new PayloadTooLargeError('Send one picture, its alt text and nothing else'), true);
      parser.on('partsLimit', overLimit);
      parser.on('filesLimit', overLimit);
      parser.on('fieldsLimit', overLimit);
      parser.on('field', (name, value, info) => {
        if (info.valueTruncated) return overLimit();
        if (name === '_csrf' && !csrfOk) csrfOk = csrfTokenMatches(req, value);
        if (name === 'alt') alt = cleanAlt(value);
      });
      parser.on('file', (name, stream) => {
        if (settled || name !== 'image' || !csrfOk) {
          stream.resume();
          if (!csrfOk) refuse(new ForbiddenError('CSRF token missing or wrong'), true);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let checked = false;
        stream.on('limit', () => refuse(tooLarge(), true));
        stream.on('data', (chunk: Buffer) => {
          if (settled) return;
          chunks.push(chunk);
          size += chunk.length;
          if (!checked && size >= SIGNATURE_BYTES) {
            checked = true;
            if (!signatureAccepted(Buffer.concat(chunks))) refuse(new UnsupportedImageError(), true);
          }
        });
        stream.on('end', () => {
          if (!settled && !stream.truncated) file = Buffer.concat(chunks, size);
        });
      });
      parser.on('error', () => refuse(new HttpError(400, 'The upload is not valid multipart/form-data'), true));
      parser.on('close', () => {
        if (settled) return;
        if (!file) return refuse(new HttpError(400, 'Choose a picture to upload (the field “image”)'), false);
        if (alt.length > ALT_MAX) {
          return refuse(new HttpError(422, `Keep the alt text to ${ALT_MAX} characters`), false);
        }
        settled = true;
        store_(file, alt).then(
          (record) => res.status(201).json({ image: imageJson(record, alt) }),
          (err: unknown) => next(err),
        );
      });
      req.pipe(parser);
    }

    async function store_(bytes: Buffer, alt: string): Promise<ImageRecord> {
      const ownerId = user?.id ?? '';
      const inspected = await inspectImage(bytes);
      if ((await store.usedBytes(ownerId)) + bytes.length > quotaBytes) throw quotaFull();
      const { id, sha256 } = await contentId(ownerId, bytes);
      const existing = await store.find(id);
      if (existing) return existing;
      const files = await processing.run(() =>
        encodeImage(bytes, inspected).catch(() => {
          throw new HttpError(422, 'This picture could not be decoded');
        }),
      );
      if (!files) throw new ServiceUnavailableError('Many pictures are being processed; try again in a moment');
      const total = files.reduce((sum, f) => sum + f.data.length, 0);
      if (!(await store.reserve(ownerId, total, quotaBytes))) throw quotaFull();
      try {
        const { record, created } = await store.save({ id, sha256, ownerId, alt, format: inspected.format, files });
        if (!created) await store.release(ownerId, total);
        req.log.info({ event: 'image_uploaded', imageId: id, userId: ownerId, bytes: total }, 'image uploaded');
        return record;
      } catch (err) {
        await store.release(ownerId, total);
        throw err;
      }
    }

    function quotaFull() {
      return new PayloadTooLargeError(
        `Your pictures would take more than ${quotaBytes / MB} MB; delete some to make room`,
      );
    }
  };
}
