import { formatClockIn, formatDateIn, formatDateTimeIn, utcToLocalInput } from './time-zone';

/**
 * The view helpers bound to one zone (res.locals shadows the UTC ones in app.locals): a view writes
 * formatDateTime(d) and gets the reader's zone, named, with no other change.
 */
export function zonedFormatters(timeZone: string) {
  return {
    timeZone,
    formatDate: (date: Date | string | number) => formatDateIn(date, timeZone),
    formatDateTime: (date: Date | string | number) => formatDateTimeIn(date, timeZone),
    formatClock: (date: Date | string | number) => formatClockIn(date, timeZone),
    localInput: (date: Date | null | undefined) => utcToLocalInput(date, timeZone),
  };
}
