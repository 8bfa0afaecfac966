import type { Express } from 'express';

/** One route of the app as Express knows it: method, full path, and the names of its route-level handlers. */
export interface RouteEntry {
  readonly method: string;
  readonly path: string;
  /** Guards and handlers given to the route itself (not the app-wide middleware), in order. */
  readonly handlers: readonly string[];
}

interface Layer {
  name: string;
  rawPath?: string;
  handle: { stack?: Layer[]; name?: string };
  route?: { path: string; methods: Record<string, boolean>; stack: Layer[] };
}

/**
 * Walks the app's router (Express 5 / router 2) and lists every route with its full path. Tests build on
 * this instead of hand-kept lists, so a route added anywhere is checked without anyone remembering to.
 */
export function routeInventory(app: Express): RouteEntry[] {
  const root = (app as unknown as { router: { stack: Layer[] } }).router;
  const entries: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = join(prefix, layer.route.path);
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
          entries.push({
            method: method.toUpperCase(),
            path,
            handlers: layer.route.stack.map((l) => l.handle.name || l.name || 'anonymous'),
          });
        }
      } else if (layer.handle.stack && typeof layer.rawPath === 'string') {
        walk(layer.handle.stack, join(prefix, layer.rawPath));
      }
    }
  };
  walk(root.stack, '');
  return entries;
}

function join(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/** The guards that say who may use a route: a sign-in guard, or `publicRoute` when it is open on purpose. */
export const ACCESS_GUARDS = new Set([
  'isAuthenticated',
  'requireAuthJson',
  'requireAuthor',
  'requireSudo',
  'publicRoute',
]);

/** Routes, of any method, whose guards (everything before the handler) name neither sign-in nor `publicRoute`. */
export function undeclaredRoutes(routes: readonly RouteEntry[]): string[] {
  return routes
    .filter((r) => !r.handlers.slice(0, -1).some((h) => ACCESS_GUARDS.has(h)))
    .map((r) => `${r.method} ${r.path}`);
}
