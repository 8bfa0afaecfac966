import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A short content hash of the stylesheet, read once at start. Pages link `/css/site.css?v=<hash>`, so
 * browsers may cache it for a year (`immutable`) and still fetch the new one the moment a deploy changes it.
 */
export function assetVersion(publicDir: string): string {
  return createHash('sha256')
    .update(readFileSync(path.join(publicDir, 'css', 'site.css')))
    .digest('hex')
    .slice(0, 12);
}
