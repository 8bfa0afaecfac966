/**
 * Returns `next` only when it is a path on this site ("/posts/new"), never another origin:
 * "//evil.example", "/\\evil.example", "https://evil.example" and control characters are all refused.
 */
export function safeNextPath(next: unknown, fallback = '/posts'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  // Resolve against a dummy origin: if the result leaves it, the path was not a plain path.
  const resolved = new URL(next, 'http://folio.invalid');
  if (resolved.origin !== 'http://folio.invalid') return fallback;
  return resolved.pathname + resolved.search + resolved.hash;
}
