import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { viewsDir } from '../../src/paths';

/** Every page template (mail excepted: rendered a few times a day, by their own renderFile). */
function pageTemplates(dir = viewsDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'mail' ? [] : pageTemplates(full);
    return entry.name.endsWith('.ejs') ? [full] : [];
  });
}

describe('page templates', () => {
  it('include partials by absolute path from views/ (no file-system lookup per include per render)', () => {
    const templates = pageTemplates();
    expect(templates.length).toBeGreaterThan(30);
    const relative = templates.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/include\(\s*['"`]([^'"`]+)/g)]
        .map((m) => m[1] as string)
        .filter((target) => !target.startsWith('/'))
        .map((target) => `${path.relative(viewsDir, file)}: include('${target}')`),
    );
    expect(relative).toEqual([]);
  });
});
