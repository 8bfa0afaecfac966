/** Stands in for this site while a path is resolved: only where the result lands matters. */
const DUMMY_ORIGIN = 'http://folio.invalid';

/**
 * Returns `next` as a path on this site ("/posts/new?page=2#x"), or `fallback` when it could lead anywhere
 * else. The target is *normalised before it is judged*, as a browser would resolve it: "/.//evil.example",
 * "/%2e//evil.example" and "/x/..//evil.example" all resolve to the path "//evil.example", which a browser
 * reads as another host, so the check runs on the resolved path, not the raw text. Backslashes (browsers
 * read "/\" as "//"), control characters and whitespace (the URL parser silently drops tabs and newlines)
 * are refused outright.
 */
export function safeNextPath(next: unknown, fallback = '/posts'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return fallback;
  if (!next.startsWith('/')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u0020\u007f\\]/.test(next)) return fallback;
  let resolved: URL;
  try {
    resolved = new URL(next, DUMMY_ORIGIN);
  } catch {
    return fallback;
  }
  if (resolved.origin !== DUMMY_ORIGIN) return fallback;
  const path = resolved.pathname;
  if (path.startsWith('//') || path.startsWith('/\\')) return fallback;
  return path + resolved.search + resolved.hash;
}
