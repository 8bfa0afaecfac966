/**
 * Drops the CSS rules no page can use: a selector that names a class found nowhere in the views, the
 * scripts or the code is removed, and a rule left with no selector goes with it. A class is "found" when it
 * appears as a whole word in that text, or starts with a prefix a template completes at render time
 * (`class="flash--<%= kind %>"` keeps every `flash--…`). Runs at build time on a copy: public/css stays as
 * written.
 */
export function purgeCss(css: string, corpus: string): string {
  const words = new Set(corpus.match(/[A-Za-z_][\w-]*/g) ?? []);
  // Only prefixes that end a name part (`flash--`, `field-`): `n${x}` in code is not a class being built.
  const prefixes = [...corpus.matchAll(/([A-Za-z_][\w-]*[-_])(?:<%|\$\{)/g)].map((m) => m[1] ?? '').filter(Boolean);
  const used = (cls: string) => words.has(cls) || prefixes.some((p) => cls.startsWith(p));
  // A class inside :not() widens what matches; inside :where()/:is() it is one of several alternatives: only
  // the classes the selector requires decide (a selector that cannot match any page is dropped).
  const keepSelector = (selector: string) =>
    [...selector.replace(/:(not|where|is)\([^()]*\)/g, '').matchAll(/\.([A-Za-z_][\w-]*)/g)].every((m) =>
      used(m[1] ?? ''),
    );
  return walk(css.replace(/\/\*[\s\S]*?\*\//g, ''), keepSelector);
}

/** Walks one level of blocks: rules are filtered, at-rule blocks (@media, @supports) are walked in turn. */
function walk(css: string, keepSelector: (s: string) => boolean): string {
  let out = '';
  let i = 0;
  while (i < css.length) {
    const open = css.indexOf('{', i);
    const semi = css.indexOf(';', i);
    if (open === -1) {
      out += css.slice(i);
      break;
    }
    // A statement at-rule (`@import …;`, `@charset …;`) before the next block.
    if (semi !== -1 && semi < open && css.slice(i, semi).trim().startsWith('@')) {
      out += css.slice(i, semi + 1);
      i = semi + 1;
      continue;
    }
    const close = matchingBrace(css, open);
    const prelude = css.slice(i, open).trim();
    const body = css.slice(open + 1, close);
    if (prelude.startsWith('@')) {
      const inner = /^@(media|supports|layer|container)\b/.test(prelude) ? walk(body, keepSelector) : body;
      if (inner.trim() !== '') out += `${prelude}{${inner}}\n`;
    } else {
      const kept = splitSelectors(prelude).filter(keepSelector);
      if (kept.length > 0) out += `${kept.join(',')}{${body}}\n`;
    }
    i = close + 1;
  }
  return out;
}

function matchingBrace(css: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < css.length; j += 1) {
    const c = css[j];
    if (quote) {
      if (c === '\\') j += 1;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return j;
    }
  }
  throw new Error('Unbalanced braces in CSS');
}

/** Splits a selector list at top-level commas (not those inside `:is(a, b)` or `[x="a,b"]`). */
function splitSelectors(prelude: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let j = 0; j < prelude.length; j += 1) {
    const c = prelude[j];
    if (c === '(' || c === '[') depth += 1;
    else if (c === ')' || c === ']') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(prelude.slice(start, j).trim());
      start = j + 1;
    }
  }
  parts.push(prelude.slice(start).trim());
  return parts.filter(Boolean);
}
