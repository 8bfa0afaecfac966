/**
 * Marks the searched words in a piece of text for the results page (issue 25). The text is escaped here,
 * all of it, before any <mark> is added: the view prints the result unescaped (`<%-`) and it is safe because
 * this function is the only thing that produced markup. Matching is by word start, case-insensitive, so a
 * stemmed match ("cookies" for "cookie") is marked too.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The words of a query worth marking: letters and digits, 2+ characters, at most 10. */
export function searchTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
  return [...new Set(words)].slice(0, 10);
}

export function highlight(text: string, terms: readonly string[]): string {
  if (terms.length === 0 || !text) return escapeHtml(text);
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})[\\p{L}\\p{N}]*`,
    'giu',
  );
  let out = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    out += `${escapeHtml(text.slice(last, at))}<mark>${escapeHtml(match[0])}</mark>`;
    last = at + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}
