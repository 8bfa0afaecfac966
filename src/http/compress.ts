import zlib from 'node:zlib';
import type { Request } from 'express';

/** The encodings Folio compresses to itself (the `compression` middleware does the same for live responses). */
export type Encoding = 'br' | 'gzip';
export type Compressor = (body: Buffer, encoding: Encoding) => Buffer;

/** Below this a compressed body saves less than its headers cost (the `compression` middleware's default too). */
export const COMPRESS_THRESHOLD = 1024;

/**
 * Brotli quality for bodies compressed once and served many times (cached pages): 9 of 11 takes about a
 * millisecond for a 20 kB page and gives nearly all of the size gain of 11, which is an order slower.
 */
const BROTLI_QUALITY = 9;

export const compressOnce: Compressor = (body, encoding) =>
  encoding === 'br'
    ? zlib.brotliCompressSync(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      })
    : zlib.gzipSync(body, { level: 9 });

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
