import { describe, expect, it } from 'vitest';
import { excerptOf, plainText, readingMinutes, renderMarkdown } from '../../src/posts/markdown';

describe('Markdown rendering', () => {
  it('renders GitHub-flavoured Markdown and demotes h1 (the page title is the only h1)', () => {
    expect(renderMarkdown('# Top\n\n- a\n- b')).toBe('<h2>Top</h2>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n');
  });

  it('keeps only absolute http(s)/mailto links and http(s) images', () => {
    expect(renderMarkdown('[rel](/posts/1) [ftp](ftp://x.example/f)')).toBe(
      '<p><a rel="nofollow ugc noopener">rel</a> <a rel="nofollow ugc noopener">ftp</a></p>\n',
    );
    expect(renderMarkdown('![a](http://x.example/a.png) ![b](/b.png) ![c](//x.example/c.png)')).toBe(
      '<p><img src="http://x.example/a.png" alt="a">  </p>\n',
    );
  });

  it('plain text, excerpt and reading time come from the sanitised HTML', () => {
    const html = renderMarkdown('Fish &amp; *chips* <script>alert(1)</script>\n\n`<b>`');
    expect(plainText(html)).toBe('Fish & chips <b>');
    const long = `${'word '.repeat(100)}end`;
    const excerpt = excerptOf(long);
    expect(excerpt.length).toBeLessThanOrEqual(201);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt).not.toMatch(/ …$/);
    expect(readingMinutes('word '.repeat(1100))).toBe(5);
    expect(readingMinutes('short')).toBe(1);
  });
});
