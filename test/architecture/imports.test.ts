import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The shape of src/, checked from its imports: no cycle between areas (a first-level folder or a top-level
 * file), and infrastructure knows no feature. The composition root (app.ts, services.ts, server.ts) may
 * import everything; nothing imports it back. Type-only imports count: they tie areas together as much.
 */

const SRC = path.resolve(__dirname, '../../src');
const COMPOSITION_ROOT = new Set(['app', 'services', 'server']);
const INFRASTRUCTURE = new Set([
  'http',
  'session',
  'db',
  'security',
  'mail',
  'health',
  'config',
  'logger',
  'clock',
  'paths',
  'views-helpers',
]);

type AreaGraph = Map<string, Map<string, string[]>>;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function areaOf(file: string, root = SRC): string {
  const [first = '', ...rest] = path.relative(root, file).split(path.sep);
  return rest.length > 0 ? first : first.replace(/\.ts$/, '');
}

/** Every relative module a file names: `import … from`, `export … from`, `import '…'`, `import('…')`. */
function importsOf(source: string): string[] {
  const specifiers = new Set<string>();
  const patterns = [/\bfrom\s+'([^']+)'/g, /\bimport\s+'([^']+)'/g, /\bimport\(\s*'([^']+)'\s*\)/g];
  for (const pattern of patterns)
    for (const [, specifier] of source.matchAll(pattern)) if (specifier) specifiers.add(specifier);
  return [...specifiers].filter((s) => s.startsWith('.'));
}

/** area → imported area → the files (and what they import) that tie them. */
function areaGraph(root = SRC): AreaGraph {
  const graph: AreaGraph = new Map();
  for (const file of sourceFiles(root)) {
    const from = areaOf(file, root);
    for (const specifier of importsOf(fs.readFileSync(file, 'utf8'))) {
      const to = areaOf(path.resolve(path.dirname(file), specifier), root);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${path.relative(root, file)} → ${specifier}`]);
    }
  }
  return graph;
}

/** Strongly connected components with more than one area (Tarjan): each is a cycle between areas. */
function cycles(graph: AreaGraph, skip: ReadonlySet<string> = COMPOSITION_ROOT): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (area: string) => {
    index.set(area, counter);
    low.set(area, counter);
    counter++;
    stack.push(area);
    onStack.add(area);
    for (const next of graph.get(area)?.keys() ?? []) {
      if (skip.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(area, Math.min(low.get(area) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(area, Math.min(low.get(area) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(area) === index.get(area)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== area);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const area of graph.keys()) if (!skip.has(area) && !index.has(area)) visit(area);
  return found;
}

/** Imports from an infrastructure area into a feature (anything that is neither infrastructure nor the root). */
function infrastructureKnowingFeatures(graph: AreaGraph): string[] {
  const problems: string[] = [];
  for (const [from, edges] of graph) {
    if (!INFRASTRUCTURE.has(from)) continue;
    for (const [to, ties] of edges) if (!INFRASTRUCTURE.has(to)) problems.push(`${from} → ${to}: ${ties.join(', ')}`);
  }
  return problems;
}

function describeCycle(graph: AreaGraph, component: string[]): string {
  const inside = new Set(component);
  const ties = component.flatMap((from) =>
    [...(graph.get(from) ?? [])].filter(([to]) => inside.has(to)).map(([, files]) => files[0]),
  );
  return `${component.join(' ↔ ')} (${ties.join('; ')})`;
}

describe('the areas of src/', () => {
  const graph = areaGraph();

  it('import one another without a cycle', () => {
    expect(cycles(graph).map((component) => describeCycle(graph, component))).toEqual([]);
  });

  it('keep infrastructure from knowing any feature', () => {
    expect(infrastructureKnowingFeatures(graph)).toEqual([]);
  });

  it('leave the composition root to the top: nothing imports app, services or server', () => {
    const intoRoot = [...graph].flatMap(([from, edges]) =>
      COMPOSITION_ROOT.has(from)
        ? []
        : [...edges.keys()].filter((to) => COMPOSITION_ROOT.has(to)).map((to) => `${from} → ${to}`),
    );
    expect(intoRoot).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const fake = (edges: Record<string, string[]>): AreaGraph =>
    new Map(Object.entries(edges).map(([from, tos]) => [from, new Map(tos.map((to) => [to, [`${from}.ts`]]))]));

  it('find a cycle through three areas, and none in a layered graph', () => {
    expect(cycles(fake({ posts: ['tags'], tags: ['users'], users: ['posts'], http: [] }))).toEqual([
      ['posts', 'tags', 'users'],
    ]);
    expect(cycles(fake({ posts: ['http', 'users'], users: ['http'], http: [] }))).toEqual([]);
  });

  it('find infrastructure importing a feature', () => {
    expect(infrastructureKnowingFeatures(fake({ db: ['posts'], posts: ['db'] }))).toEqual(['db → posts: db.ts']);
  });

  it('read type-only, re-export, side-effect and dynamic imports', () => {
    const source = [
      "import type { A } from '../a';",
      "export { B } from './b';",
      "import '../c';",
      "const d = await import('../d');",
      "import x from 'express';",
    ].join('\n');
    expect(importsOf(source).sort()).toEqual(['../a', '../c', '../d', './b']);
  });
});
