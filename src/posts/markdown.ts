import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown → safe HTML: marked parses (GitHub-flavoured), sanitize-html keeps only an allow-list.
 * Raw HTML in the source goes through the same filter, so nothing executable survives: no scripts, no
 * event handlers, no styles, no frames, and links only to http, https and mailto.
 */

const marked = new Marked({ gfm: true, breaks: false, async: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'em',
    'strong',
    'del',
    's',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    // width … sizes: set only by ownImage() below, for Folio's own pictures; an author's values are dropped.
    img: ['src', 'alt', 'title', 'width', 'height', 'loading', 'decoding', 'srcset', 'sizes'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
  },
  allowedSchemesByTag: { a: ['http', 'https', 'mailto'], img: ['http', 'https'] },
  allowedSchemes: [],
  allowProtocolRelative: false,
  // Script and style contents are dropped with their tags, not shown as text.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'title',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
  ],
  transformTags: {
    // The page has the post title as its only h1; a "# heading" in a post becomes an h2.
    h1: 'h2',
    // Readers' links: absolute http(s)/mailto only; no ranking credit for spam, no window.opener.
    a: (tagName, attribs) => {
      const { href, ...rest } = attribs;
      const kept: Record<string, string> = { ...rest, rel: 'nofollow ugc noopener' };
      if (href && /^(https?:\/\/|mailto:)/i.test(href)) kept.href = href;
      return { tagName, attribs: kept };
    },
  },
  // Images only from absolute http(s) URLs or Folio's own /images/<id>; anything else is dropped whole.
  exclusiveFilter: (frame) =>
    frame.tag === 'img' && !/^https?:\/\//i.test(frame.attribs.src ?? '') && !OWN_IMAGE.test(frame.attribs.src ?? ''),
};

/** A picture uploaded to Folio (src/images): `/images/<content id>`. */
const OWN_IMAGE = /^\/images\/([0-9a-f]{32})$/;
/** The post column is at most 42rem wide (--measure in site.css), the full width less 2rem below that. */
const POST_IMAGE_SIZES = '(max-width: 44rem) calc(100vw - 2rem), 42rem';

/** What the renderer needs to know of an uploaded picture: its size and the WebP widths made of it. */
export interface ImageLayout {
  readonly width: number;
  readonly height: number;
  readonly variantWidths: readonly number[];
}
export type ImageLookup = (id: string) => ImageLayout | undefined;

/**
 * The sanitiser's own img transform (so it stays the only producer of the HTML): an uploaded picture gets
 * its width and height (no layout shift), lazy loading, async decoding and a srcset of its WebP variants
 * next to the fallback; whatever the author wrote in those attributes is dropped. Other images pass as before.
 */
function ownImage(lookup: ImageLookup | undefined, seen: Set<string>): sanitizeHtml.Transformer {
  return (tagName, attribs) => {
    const { src, alt, title } = attribs;
    const kept: Record<string, string> = {};
    if (src !== undefined) kept.src = src;
    if (alt !== undefined) kept.alt = alt;
    if (title !== undefined) kept.title = title;
    const id = OWN_IMAGE.exec(src ?? '')?.[1];
    if (id === undefined) return { tagName, attribs: kept };
    seen.add(id);
    kept.loading = 'lazy';
    kept.decoding = 'async';
    const layout = lookup?.(id);
    if (layout) {
      kept.width = String(layout.width);
      kept.height = String(layout.height);
      if (layout.variantWidths.length > 0) {
        kept.srcset = [
          ...layout.variantWidths.map((w) => `/images/${id}/${w}.webp ${w}w`),
          `${src} ${layout.width}w`,
        ].join(', ');
        kept.sizes = POST_IMAGE_SIZES;
      }
    }
    return { tagName, attribs: kept };
  };
}

/** A post body's HTML and the ids of the uploaded pictures it shows. */
export function renderPostBody(source: string, lookup?: ImageLookup): { html: string; imageIds: string[] } {
  const seen = new Set<string>();
  const options = { ...SANITIZE, transformTags: { ...SANITIZE.transformTags, img: ownImage(lookup, seen) } };
  const html = toHtmlVoids(sanitizeHtml(marked.parse(source) as string, options));
  return { html, imageIds: [...seen] };
}

export function renderMarkdown(source: string, lookup?: ImageLookup): string {
  return renderPostBody(source, lookup).html;
}

/** The picture ids a Markdown source names (`/images/<id>`), for looking up their layout before rendering. */
export function imageIdsIn(source: string): string[] {
  return [...new Set([...source.matchAll(/\/images\/([0-9a-f]{32})\b/g)].map((m) => m[1] ?? ''))].slice(0, 100);
}

/**
 * HTML, not XHTML: void elements without the " />" that sanitize-html writes. sanitize-html's output has a
 * fixed shape (attributes quoted, `<`/`>` in values escaped), so each tag ends in exactly " />": the pattern
 * looks for that fixed string and never backtracks over a run of whitespace — linear in the input, where the
 * former `([^>]*?)\s*\/>` was quadratic on the spaces inside one tag (issue 11).
 */
function toHtmlVoids(html: string): string {
  return html.replace(/(<(?:img|br|hr)\b[^>]*?) \/>/g, '$1>');
}

/**
 * Comments take a smaller Markdown: emphasis, code and links. Headings and images become plain text, raw
 * HTML is shown as the text it is (escaped, not interpreted), and the same sanitiser then keeps only the
 * few tags such a comment can produce.
 */
const commentMarked = new Marked({ gfm: true, breaks: false, async: false });
commentMarked.use({
  renderer: {
    heading({ tokens }) {
      return `<p>${this.parser.parseInline(tokens)}</p>\n`;
    },
    image({ text }) {
      return escapeHtml(text);
    },
    html({ text }) {
      return escapeHtml(text);
    },
  },
});

const COMMENT_SANITIZE: sanitizeHtml.IOptions = {
  ...SANITIZE,
  allowedTags: ['p', 'br', 'em', 'strong', 'del', 's', 'code', 'pre', 'a'],
  allowedAttributes: { a: ['href', 'title', 'rel'] },
  allowedSchemesByTag: { a: ['http', 'https', 'mailto'] },
  exclusiveFilter: undefined,
};

export function renderCommentMarkdown(source: string): string {
  return toHtmlVoids(sanitizeHtml(commentMarked.parse(source) as string, COMMENT_SANITIZE));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
};

/** The visible text of rendered HTML, whitespace collapsed. */
export function plainText(html: string): string {
  const text = sanitizeHtml(html.replace(/<\/(p|h\d|li|pre|blockquote|tr)>/g, '$& '), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return text
    .replace(/&(amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e] ?? e)
    .replace(/\s+/g, ' ')
    .trim();
}

/** About 200 characters of plain text, cut at a word boundary. */
export function excerptOf(text: string, max = 200): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`;
}

/** Minutes at 220 words a minute, at least 1. */
export function readingMinutes(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.round(words / 220));
}
