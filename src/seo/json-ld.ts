/**
 * JSON for a `<script type="application/ld+json">` block, safe to write unescaped into HTML: the characters
 * that could end the element or open a comment (`<`, `>`, `&`) and the two line separators JavaScript once
 * treated as line ends become JSON escapes, so a post titled `</script><script>…` stays text inside the JSON.
 * This is the only raw output of the SEO partial.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
