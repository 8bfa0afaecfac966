/** Small pure helpers that views call; registered once as app.locals. */

// UTC, never the server's own zone: the page says the same wherever it runs. A signed-in reader's pages use
// the account's zone instead (res.locals, src/time/zoned-formatters.ts); anonymous, cached pages stay UTC.
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

export function formatDate(date: Date | string | number): string {
  return dateFormat.format(new Date(date));
}

export function isoDate(date: Date | string | number): string {
  return new Date(date).toISOString();
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 minutes ago", "yesterday", "just now". */
export function relativeTime(date: Date | string | number, now: number = Date.now()): string {
  const diff = new Date(date).getTime() - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
  }
  return 'just now';
}

const utcDateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});
const utcClock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

/**
 * "29 November 2026 at 14:05 UTC" for anonymous pages; a signed-in reader's pages get the same format in the
 * account's zone (src/time/zoned-formatters.ts shadows this one in res.locals).
 */
export function formatDateTime(date: Date | string | number): string {
  return `${utcDateTime.format(new Date(date)).replace(/, (\d)/, ' at $1')} UTC`;
}

/** "14:05 UTC" (a clock time today, such as when a paused login form reopens); upgraded like formatDateTime. */
export function formatClock(date: Date | string | number): string {
  return `${utcClock.format(new Date(date))} UTC`;
}

/** "1 minute", "15 minutes", "1,024 page views": a count with its noun, in the right number. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? singular : pluralForm}`;
}

/**
 * Whether "edited" tells the reader anything: not for a fix made within the first few minutes of writing
 * (nobody could have read the first version), only for a later change.
 */
export const EDIT_GRACE_MS = 10 * 60_000;
export function showEdited(createdAt: Date | string | number, editedAt: Date | string | number | undefined | null) {
  if (editedAt === undefined || editedAt === null) return false;
  return new Date(editedAt).getTime() - new Date(createdAt).getTime() > EDIT_GRACE_MS;
}
