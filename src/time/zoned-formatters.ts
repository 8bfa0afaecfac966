import { formatClockIn, formatDateIn, formatDateTimeIn, utcToLocalInput } from './time-zone';

/**
 * The view helpers bound to one zone (res.locals shadows the UTC ones in app.locals): a view writes
 * formatDateTime(d) and gets the reader's zone, named, with no other change.
 */
export function zonedFormatters(timeZone: string): ZonedFormatters {
  let formatters = byZone.get(timeZone);
  if (!formatters) {
    formatters = Object.freeze(makeFormatters(timeZone));
    // IANA names are a few hundred, and zoneOrUtc lets nothing else through: bounded without eviction.
    byZone.set(timeZone, formatters);
  }
  return formatters;
}

export type ZonedFormatters = Readonly<ReturnType<typeof makeFormatters>>;

/** Made once per zone, not per request: every signed-in page asked for a new set (five closures). */
const byZone = new Map<string, ZonedFormatters>();

function makeFormatters(timeZone: string) {
  return {
    timeZone,
    formatDate: (date: Date | string | number) => formatDateIn(date, timeZone),
    formatDateTime: (date: Date | string | number) => formatDateTimeIn(date, timeZone),
    formatClock: (date: Date | string | number) => formatClockIn(date, timeZone),
    localInput: (date: Date | null | undefined) => utcToLocalInput(date, timeZone),
  };
}
