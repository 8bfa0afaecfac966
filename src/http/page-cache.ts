import { parse as parseCookies } from 'cookie';
import signature from 'cookie-signature';
import type { Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import onHeaders from 'on-headers';
import { COMPRESS_THRESHOLD, type Compressor, chooseEncoding, compressOnce, type Encoding } from './compress';
import { wantsJson } from './negotiate';

/** Headers a stored answer is replayed with, exactly as the first rendering set them. */
const KEPT_HEADERS = ['content-type', 'etag', 'last-modified', 'cache-control', 'vary'] as const;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_URL_LENGTH = 512;

interface Entry {
  readonly body: Buffer;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The body compressed, made at the first hit that asks for each encoding and kept with the entry. */
  readonly encoded: Map<Encoding, Buffer>;
}

export interface PageCacheOptions {
  /** PAGE_CACHE_SECONDS: how long an entry may serve; 0 turns the cache off. */
  readonly seconds: number;
  /**
   * The public pages and feeds the features declare worth keeping (and safe to keep: no tokens, no forms of
   * mail links); nothing else is ever stored. The composition root lists them.
   */
  readonly cacheable?: RegExp;
  /** The session cookie's name: a request that carries it is never served from, or stored in, the cache. */
  readonly cookieName: string;
  /** SESSION_SECRET's secrets: the cookie counts when it verifies as express-session would verify it. */
  readonly secrets?: readonly string[];
  /** Bound on the bodies kept (LRU by bytes). */
  readonly maxBytes?: number;
  /** The app's clock, for expiry (tests move it instead of sleeping); default: lru-cache's performance.now. */
  readonly now?: () => number;
  /** How a kept page is compressed (once per encoding); tests count the calls. */
  readonly compress?: Compressor;
}

/**
 * Rendered anonymous pages, kept in this process (LRU by bytes) so a reader without a session costs no
 * MongoDB query and no rendering. Freshness:
 * - a write in this process (any POST etc. that succeeds, whatever it changes) clears the cache before its
 *   response leaves, and a page rendered while a write was under way is not stored (generation check);
 * - a write in another process shows here once the entries it affects expire: `seconds` at most;
 * - `clear()` is for writes that come from no request (jobs), or other code that wants a clean slate.
 * Nothing that depends on a session ever goes in or comes out: requests carrying the session cookie pass
 * by, and a response that sets a cookie or says no-store is not kept. A hit sets no cookie.
 */
export class PageCache {
  private readonly cache: LRUCache<string, Entry> | undefined;
  private generation = 0;
  /**
   * Session cookie values that verified lately. A signed-in visitor sends the same value on every request:
   * checking its signature again (an HMAC, and a cookie parse) cost ~4% of a signed-in view's CPU
   * (`npm run bench`). A value is a signature over its id with the secrets, fixed for the process's life,
   * so a value that verified once verifies always; only those are remembered, so a flood of forged values
   * evicts entries but adds no work.
   */
  private readonly verifiedCookies = new LRUCache<string, true>({ max: 10_000 });

  private readonly compress: Compressor;

  constructor(private readonly options: PageCacheOptions) {
    this.compress = options.compress ?? compressOnce;
    this.cache =
      options.seconds > 0
        ? new LRUCache<string, Entry>({
            maxSize: options.maxBytes ?? 16 * 1024 * 1024,
            // The body plus room for its compressed forms, which are added later and far smaller.
            sizeCalculation: (e) => Math.ceil(e.body.length * 1.5) + 200,
            ttl: options.seconds * 1000,
            // With a clock given, read it at every check (no 1 ms reuse of the last reading): a moved clock counts at once.
            ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
          })
        : undefined;
  }

  private readonly clearListeners: Array<() => void> = [];

  /** Forgets every page at once (and any page being rendered right now will not be stored). */
  clear(): void {
    this.generation += 1;
    this.cache?.clear();
    for (const listener of this.clearListeners) listener();
  }

  /** Other caches of public content (SharedResults) are invalidated exactly when pages are. */
  onClear(listener: () => void): void {
    this.clearListeners.push(listener);
  }

  get size(): number {
    return this.cache?.size ?? 0;
  }

  private keyOf(req: Request): string | undefined {
    if (req.method !== 'GET' || req.originalUrl.length > MAX_URL_LENGTH) return undefined;
    if (!this.options.cacheable?.test(req.path)) return undefined;
    if (this.hasSessionCookie(req.headers.cookie)) return undefined;
    return `${wantsJson(req) ? 'json' : 'html'} ${req.originalUrl}`;
  }

  /**
   * Whether express-session will see a session cookie in this header: parsed with the `cookie` package, as
   * express-session parses it (a regex read `folio.sid =…` differently), and unsigned against the secrets.
   */
  private hasSessionCookie(header: string | undefined): boolean {
    if (!header) return false;
    const raw = parseCookies(header)[this.options.cookieName];
    if (raw === undefined) return false;
    const secrets = this.options.secrets ?? [];
    if (secrets.length === 0) return true;
    if (this.verifiedCookies.has(raw)) return true;
    const verified = raw.startsWith('s:') && secrets.some((secret) => signature.unsign(raw.slice(2), secret) !== false);
    if (verified) this.verifiedCookies.set(raw, true);
    return verified;
  }

  /**
   * A hit's bytes in the encoding the browser takes best (br, else gzip), compressed at most once per
   * encoding for the life of the entry; the `compression` middleware leaves a body that has its
   * Content-Encoding alone. Small bodies and browsers that take neither get the page as it is.
   */
  private encodedBody(req: Request, res: Response, hit: Entry): Buffer {
    if (!/(^|,)\s*accept-encoding\s*(,|$)/i.test(String(res.getHeader('vary') ?? ''))) {
      res.setHeader('Vary', [res.getHeader('vary'), 'Accept-Encoding'].filter(Boolean).join(', '));
    }
    const encoding = hit.body.length >= COMPRESS_THRESHOLD ? chooseEncoding(req) : undefined;
    if (!encoding) return hit.body;
    let encoded = hit.encoded.get(encoding);
    if (!encoded) {
      encoded = this.compress(hit.body, encoding);
      hit.encoded.set(encoding, encoded);
    }
    res.setHeader('Content-Encoding', encoding);
    return encoded;
  }

  /** Mounted before the session middleware: a hit costs no session lookup either. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      if (!SAFE_METHODS.has(req.method)) {
        // Cleared when the write's answer is written, i.e. after its change is in MongoDB and before the
        // browser can follow the redirect to a page that must show it. Only a write that can have changed a
        // public page does: one by a signed-in visitor that succeeded. A refused one (4xx: forged, throttled,
        // invalid, unknown path; a failed login), a sign-in sent to the login page, or anything from a visitor
        // without an account (a logout with no session) changed none, and must not let anyone empty the cache
        // at will. (Writes from no signed-in request, such as "keep my account" by link, clear it themselves.)
        onHeaders(res, () => {
          if (res.statusCode >= 400 || !req.session?.user) return;
          if (/^\/auth\/login(\?|$)/.test(String(res.getHeader('location') ?? ''))) return;
          this.clear();
        });
        return next();
      }
      const cache = this.cache;
      const key = cache ? this.keyOf(req) : undefined;
      if (!cache || key === undefined) return next();

      const hit = cache.get(key);
      if (hit) {
        for (const [name, value] of hit.headers) res.setHeader(name, value);
        res.setHeader('X-Page-Cache', 'hit');
        if (req.fresh) {
          res.status(304).end();
          return;
        }
        const body = this.encodedBody(req, res, hit);
        res.setHeader('Content-Length', body.length);
        res.end(body);
        return;
      }

      // A miss renders in full even for a revalidation, so the page can be kept: the conditional headers are
      // set aside while the route runs (a 304 from Express would leave no body to store) and applied here, to
      // the finished page, just before its headers go out.
      const { 'if-none-match': ifNoneMatch, 'if-modified-since': ifModifiedSince } = req.headers;
      delete req.headers['if-none-match'];
      delete req.headers['if-modified-since'];
      const startedAt = this.generation;
      let body: Buffer | undefined;
      let rendered = false;
      let contentType: string | undefined;
      const send = res.send.bind(res);
      res.send = (chunk?: unknown) => {
        if (body === undefined && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
          body = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        }
        return send(chunk);
      };
      onHeaders(res, () => {
        if (res.statusCode !== 200) return;
        rendered = true;
        // Express's own freshness check (ETag, Last-Modified, Cache-Control), on the headers set aside.
        if (ifNoneMatch !== undefined) req.headers['if-none-match'] = ifNoneMatch;
        if (ifModifiedSince !== undefined) req.headers['if-modified-since'] = ifModifiedSince;
        if ((ifNoneMatch !== undefined || ifModifiedSince !== undefined) && req.fresh) {
          contentType = String(res.getHeader('content-type'));
          // Node sends no body with a 304, whatever res.end() is given.
          res.statusCode = 304;
          for (const name of ['content-type', 'content-length', 'transfer-encoding']) res.removeHeader(name);
        }
      });
      // Headers are read when the answer is done: other on-headers hooks (Vary, Cache-Control) ran after ours.
      res.on('finish', () => {
        if (body === undefined || !rendered || startedAt !== this.generation) return;
        if (res.getHeader('set-cookie') !== undefined) return;
        if (/no-store|private/.test(String(res.getHeader('cache-control') ?? ''))) return;
        const headers = KEPT_HEADERS.flatMap((name) => {
          const value = name === 'content-type' && contentType !== undefined ? contentType : res.getHeader(name);
          return value === undefined ? [] : [[name, String(value)] as const];
        });
        cache.set(key, { body, headers, encoded: new Map() });
      });
      next();
    };
  }
}
