import zlib from 'node:zlib';
import type { Request } from 'express';

/** The encodings Folio compresses to itself (the `compression` middleware does the same for live responses). */
export type Encoding = 'br' | 'gzip';
export type Compressor = (body: Buffer, encoding: Encoding) => Buffer;

/** Below this a compressed body saves less than its headers cost (the `compression` middleware's default too). */
export const COMPRESS_THRESHOLD = 1024;

/**
 * Brotli quality for cached pages: compressed once per entry, but synchronously on the request that first
 * asks, so it must stay cheap. Measured on a list page (12 kB): quality 5 gives 1,876 bytes in well under a
 * millisecond; 9 gives 1,865 bytes in ~20 ms on this shared machine — the event loop would stall for it.
 */
const BROTLI_QUALITY = 5;

export const compressOnce: Compressor = (body, encoding) =>
  encoding === 'br'
    ? zlib.brotliCompressSync(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      })
    : zlib.gzipSync(body, { level: 6 });

/**
 * The encoding to answer with, by the request's Accept-Encoding: br where accepted, else gzip, else none —
 * the same preference as the `compression` middleware (br first, whatever order the browser lists them in).
 */
export function chooseEncoding(req: Request): Encoding | undefined {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string' || header === '') return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const accepted = (name: Encoding) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  if (accepted('br')) return 'br';
  if (accepted('gzip')) return 'gzip';
  return undefined;
}
