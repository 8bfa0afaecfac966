import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILT_ASSETS_DIR, MANIFEST, manifestOf } from './assets';
import { buildAssets } from './build';

/** `npm run build`'s second step: minified, content-hashed CSS and JS into dist/static, with a manifest. */
export function writeAssets(dir: string = BUILT_ASSETS_DIR): void {
  const assets = buildAssets();
  // A fresh directory: files of earlier builds (older hashes) are not served by anyone.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const asset of assets) writeFileSync(path.join(dir, path.basename(asset.url)), asset.body);
  writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifestOf(assets), null, 2)}\n`);
  for (const asset of assets) process.stdout.write(`${asset.url}  ${asset.body.length} bytes\n`);
}

if (require.main === module) writeAssets();
