import { describe, expect, it } from 'vitest';
import { formatClock, formatDate, formatDateTime, plural, showEdited } from '../../src/views-helpers/format';

describe('view helpers said like a person (issue 12)', () => {
  it('plural forms: "1 minute", "15 minutes", "1,024 pages"', () => {
    expect(plural(1, 'minute')).toBe('1 minute');
    expect(plural(15, 'minute')).toBe('15 minutes');
    expect(plural(0, 'page')).toBe('0 pages');
    expect(plural(1024, 'page')).toBe('1,024 pages');
    expect(plural(2, 'reply', 'replies')).toBe('2 replies');
  });

  it('dates carry their time, in UTC with the zone named (the script rewrites them in the reader’s zone)', () => {
    const when = new Date('2026-11-29T14:05:00Z');
    expect(formatDateTime(when)).toBe('29 November 2026 at 14:05 UTC');
    expect(formatClock(when)).toBe('14:05 UTC');
  });

  it('"edited" only when it adds information: not for a fix in the first minutes', () => {
    const written = new Date('2026-11-29T10:00:00Z');
    expect(showEdited(written, undefined)).toBe(false);
    expect(showEdited(written, null)).toBe(false);
    expect(showEdited(written, new Date('2026-11-29T10:03:00Z'))).toBe(false);
    expect(showEdited(written, new Date('2026-11-29T12:00:00Z'))).toBe(true);
  });
});

describe('dates never in the server’s own zone', () => {
  it('formatDate is the UTC day, whatever TZ the process runs in', () => {
    expect(formatDate(new Date('2026-11-29T23:30:00Z'))).toBe('29 November 2026');
    expect(formatDate(new Date('2026-11-30T00:30:00Z'))).toBe('30 November 2026');
  });
});
