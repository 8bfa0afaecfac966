/**
 * Time in the reader's zone, with Intl only. A zone is an IANA name (Europe/Berlin) that this runtime's Intl
 * knows; the account remembers the one its browser reported at sign-in (src/time/remember-time-zone.ts), an
 * anonymous reader sees UTC (anonymous pages are cached and shared, so they cannot depend on the reader).
 */

export const DEFAULT_TIME_ZONE = 'UTC';

let supported: ReadonlySet<string> | undefined;
/** Intl's own list, plus the aliases it canonicalises to (UTC is not in supportedValuesOf on every runtime). */
function supportedZones(): ReadonlySet<string> {
  supported ??= new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);
  return supported;
}

/** A zone name this runtime supports, as sent by a browser; anything else (or too long) is not a zone. */
export function isTimeZone(raw: unknown): raw is string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 64) return false;
  if (supportedZones().has(raw)) return true;
  // Aliases Intl accepts and canonicalises (Asia/Calcutta → Asia/Kolkata, Etc/UTC): accepted as they resolve.
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: raw }).resolvedOptions().timeZone;
    return supportedZones().has(resolved) || /^(Etc\/)?(UTC|GMT)$/.test(resolved);
  } catch {
    return false;
  }
}

/** The zone to use: a valid one given, else UTC. */
export function zoneOrUtc(zone: unknown): string {
  return isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();
function partsFormat(zone: string): Intl.DateTimeFormat {
  let format = partsFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(zone, format);
  }
  return format;
}

/** The wall-clock fields of an instant in a zone, as if they were UTC (epoch ms). */
function wallClockMs(ms: number, zone: string): number {
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of partsFormat(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
}

/** The zone's offset from UTC at an instant, in ms (Berlin in winter: +3,600,000). */
export function offsetAt(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClockMs(whole, zone) - whole;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A `datetime-local` value read in a zone → the instant. Like Temporal's "compatible" disambiguation: a
 * time that happens twice (clocks go back) is the earlier one; a time that does not exist (clocks go
 * forward) moves forward by the gap (02:30 on a spring-forward night in Berlin is 03:30 CEST).
 */
export function zonedToUtc(local: string, zone: string): Date | undefined {
  const m = LOCAL.exec(local);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((n) => Number(n ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  // Date.UTC rolls 2026-02-31 over into March: such a date is not a date.
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
  const before = offsetAt(wall - 86_400_000, zone);
  const after = offsetAt(wall + 86_400_000, zone);
  const candidates = [...new Set([wall - before, wall - after])]
    .filter((t) => wallClockMs(t, zone) === wall)
    .sort((a, b) => a - b);
  return new Date(candidates[0] ?? wall - before);
}

/** An instant as a `datetime-local` value in a zone: `2026-12-10T10:00`. */
export function utcToLocalInput(date: Date | null | undefined, zone: string): string {
  if (!date) return '';
  return new Date(wallClockMs(date.getTime(), zone)).toISOString().slice(0, 16);
}

type Style = 'date' | 'datetime' | 'clock' | 'mail';
const OPTIONS: Record<Style, Intl.DateTimeFormatOptions> = {
  date: { day: 'numeric', month: 'long', year: 'numeric' },
  datetime: { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  clock: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  mail: {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
};
const formats = new Map<string, Intl.DateTimeFormat>();
function format(style: Style, zone: string, withName: boolean): Intl.DateTimeFormat {
  const key = `${style}|${zone}|${withName}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      ...OPTIONS[style],
      timeZone: zone,
      ...(withName ? { timeZoneName: 'short' } : {}),
    });
    formats.set(key, f);
  }
  return f;
}

/** "29 November 2026" in the zone (a day only: no zone name, it would mislead more than help). */
export function formatDateIn(date: Date | string | number, zone: string): string {
  return format('date', zone, false).format(new Date(date));
}

/** "29 November 2026 at 15:05 CET": the one date-and-time format of every page. */
export function formatDateTimeIn(date: Date | string | number, zone: string): string {
  return format('datetime', zone, true)
    .format(new Date(date))
    .replace(/, (\d)/, ' at $1');
}

/** "15:05 CET": a clock time today (when a paused form reopens). */
export function formatClockIn(date: Date | string | number, zone: string): string {
  return format('clock', zone, true).format(new Date(date));
}

/**
 * Mails: "Friday 4 December 2026 at 23:07 (Europe/Berlin)". The zone's full name, not an abbreviation such
 * as CET or GMT-8, because a mail is read later and elsewhere.
 */
export function formatForMail(date: Date | string | number, zone: string): string {
  const text = format('mail', zone, false)
    .format(new Date(date))
    .replace(/,? (\d{1,2} \w+ \d{4}),? (?:at )?(\d)/, ' $1 at $2');
  return `${text} (${zone})`;
}
