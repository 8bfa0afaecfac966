import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot, publicDir, viewsDir } from '../paths';
import { purgeCss } from './css-purge';

/** One stylesheet or script as pages load it: minified, named by its content hash. */
export interface BuiltAsset {
  /** The name views ask for: `css/site.css`, `js/folio.js` (its place under public/). */
  readonly name: string;
  /** `/assets/site.<hash>.css`: a new URL whenever the bytes change, so it can be cached for good. */
  readonly url: string;
  readonly contentType: string;
  readonly body: Buffer;
}

export const ASSET_PREFIX = '/assets/';

interface Source {
  readonly name: string;
  readonly file: string;
  readonly loader: 'css' | 'js';
}

/** Every stylesheet and script the pages use, the passkey library included (served from this origin). */
export function assetSources(): Source[] {
  const webauthn = path.join(
    path.dirname(require.resolve('@simplewebauthn/browser')),
    '..',
    'dist',
    'bundle',
    'index.umd.min.js',
  );
  return [
    { name: 'css/site.css', file: path.join(publicDir, 'css', 'site.css'), loader: 'css' },
    // Every page script under public/js: a new one is built and hashed without being listed here.
    ...readdirSync(path.join(publicDir, 'js'))
      .filter((name) => name.endsWith('.js'))
      .sort()
      .map((name): Source => ({ name: `js/${name}`, file: path.join(publicDir, 'js', name), loader: 'js' })),
    { name: 'js/simplewebauthn-browser.js', file: webauthn, loader: 'js' },
  ];
}

/** The text a used CSS class must appear in: every view, every browser script, and the code (flash kinds). */
function classCorpus(): string {
  const parts: string[] = [];
  const walk = (dir: string, ext: RegExp) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, ext);
      else if (ext.test(name)) parts.push(readFileSync(full, 'utf8'));
    }
  };
  walk(viewsDir, /\.ejs$/);
  walk(path.join(publicDir, 'js'), /\.js$/);
  walk(path.join(projectRoot, 'src'), /\.ts$/);
  return parts.join('\n');
}

/**
 * Minifies every asset with esbuild (a build-time tool: required here, never by the running server when
 * `npm run build` has made the files) and names each by the SHA-256 of its output.
 */
export function buildAssets(): BuiltAsset[] {
  // Loaded on demand: esbuild is a development dependency, and a built server only reads dist/static.
  const esbuild = require('esbuild') as typeof import('esbuild');
  const corpus = classCorpus();
  return assetSources().map((source) => {
    let code = readFileSync(source.file, 'utf8');
    if (source.loader === 'css') code = purgeCss(code, corpus);
    const out = esbuild.transformSync(code, {
      loader: source.loader,
      minify: true,
      // Browsers from 2021 on: keeps modern CSS (nesting-free already) and JS as written, only smaller.
      target: source.loader === 'css' ? ['chrome100', 'firefox100', 'safari15'] : 'es2020',
      legalComments: 'none',
      charset: 'utf8',
    });
    const body = Buffer.from(out.code);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const base = path.basename(source.name).replace(/\.(css|js)$/, '');
    const ext = source.loader;
    return {
      name: source.name,
      url: `${ASSET_PREFIX}${base}.${hash}.${ext}`,
      contentType: ext === 'css' ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      body,
    };
  });
}
