import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { RequestHandler } from 'express';
import { chooseEncoding, type Encoding } from '../http/compress';
import { projectRoot } from '../paths';
import { ASSET_PREFIX, type BuiltAsset, buildAssets } from './build';

/** Where `npm run build` writes the minified files and their manifest (dist/ is the build's output). */
export const BUILT_ASSETS_DIR = path.join(projectRoot, 'dist', 'static');
const MANIFEST = 'manifest.json';

interface ServedAsset extends BuiltAsset {
  readonly etag: string;
  /** Compressed once, when the set is loaded, at the highest settings: these bytes are served for a year. */
  readonly encoded: ReadonlyMap<Encoding, Buffer>;
}

/** The minified stylesheet and scripts, by name (for views) and by URL (for serving). */
export class AssetSet {
  private readonly byName = new Map<string, ServedAsset>();
  private readonly byUrl = new Map<string, ServedAsset>();

  constructor(assets: readonly BuiltAsset[]) {
    for (const asset of assets) {
      const served: ServedAsset = {
        ...asset,
        etag: `"${createHash('sha256').update(asset.body).digest('base64url').slice(0, 27)}"`,
        encoded: new Map<Encoding, Buffer>([
          [
            'br',
            zlib.brotliCompressSync(asset.body, {
              params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
                [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
              },
            }),
          ],
          ['gzip', zlib.gzipSync(asset.body, { level: 9 })],
        ]),
      };
      this.byName.set(asset.name, served);
      this.byUrl.set(asset.url, served);
    }
  }

  /** The URL of an asset by its place under public/ (`css/site.css`); an unknown name is a bug, so it throws. */
  url(name: string): string {
    const asset = this.byName.get(name);
    if (!asset) throw new Error(`No built asset named ${name}`);
    return asset.url;
  }

  get(url: string): ServedAsset | undefined {
    return this.byUrl.get(url);
  }

  get list(): readonly BuiltAsset[] {
    return [...this.byName.values()];
  }

  /**
   * GET /assets/<name>.<hash>.<ext>: immutable for a year (the URL changes with the bytes), already
   * compressed in the encoding the browser takes best, 304 on a matching ETag; any other path passes on.
   */
  middleware(): RequestHandler {
    return (req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.path.startsWith(ASSET_PREFIX)) return next();
      const asset = this.byUrl.get(req.path);
      if (!asset) return next();
      res.setHeader('Content-Type', asset.contentType);
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      res.setHeader('ETag', asset.etag);
      res.vary('Accept-Encoding');
      if (req.fresh) {
        res.status(304).end();
        return;
      }
      const encoding = chooseEncoding(req);
      const body = encoding ? (asset.encoded.get(encoding) ?? asset.body) : asset.body;
      if (encoding) res.setHeader('Content-Encoding', encoding);
      res.setHeader('Content-Length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
  }
}

/** Writes the built assets and their manifest to `dir` (`npm run build`). */
export function manifestOf(assets: readonly BuiltAsset[]): Record<string, { url: string; contentType: string }> {
  return Object.fromEntries(assets.map((a) => [a.name, { url: a.url, contentType: a.contentType }]));
}

/** Reads what `npm run build` wrote; undefined when there is no build. */
export function readBuiltAssets(dir: string): BuiltAsset[] | undefined {
  const manifestFile = path.join(dir, MANIFEST);
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as ReturnType<typeof manifestOf>;
  return Object.entries(manifest).map(([name, { url, contentType }]) => ({
    name,
    url,
    contentType,
    body: readFileSync(path.join(dir, path.basename(url))),
  }));
}

let loaded: AssetSet | undefined;

/**
 * The process's assets, loaded once. The compiled server (dist/) serves what `npm run build` made; run from
 * the sources (npm run dev, the tests) they are built in memory at start with the same function, so an edit
 * to public/ shows at the next restart with no build step.
 */
export function loadAssets(): AssetSet {
  if (loaded) return loaded;
  const compiled = __filename.endsWith('.js');
  const built = compiled ? readBuiltAssets(BUILT_ASSETS_DIR) : undefined;
  if (compiled && !built) throw new Error(`No built assets in ${BUILT_ASSETS_DIR}: run npm run build`);
  loaded = new AssetSet(built ?? buildAssets());
  return loaded;
}

export { MANIFEST };
