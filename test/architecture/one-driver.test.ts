import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One MongoDB driver in the installed tree: mongoose's. connect-mongo (a peer) and mongodb-memory-server
 * would each bring their own otherwise, and values of one driver's types then need casts to pass as the
 * other's. package.json pins `mongodb` to the version mongoose wants and `overrides` hands it to everyone.
 */
describe('the MongoDB driver', () => {
  const root = path.resolve(__dirname, '../..');
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };

  it('is installed once, at the version mongoose asks for', () => {
    const installed = Object.entries(lock.packages).filter(([where]) => /(^|\/)node_modules\/mongodb$/.test(where));
    expect(installed.map(([where]) => where)).toEqual(['node_modules/mongodb']);
    const mongoose = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/mongoose/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const wanted = mongoose.dependencies.mongodb?.replace(/^[~^]/, '') ?? '';
    expect(installed[0]?.[1].version?.startsWith(wanted.split('.').slice(0, 2).join('.'))).toBe(true);
  });
});
