/**
 * Time helpers shared by server and browser. Instants are Date objects or ISO strings; a time zone is
 * an IANA name. Only Intl is used, so the same code formats on both sides.
 */

/** An ISO 8601 date-time with its offset; seconds and milliseconds optional (2024-05-23T08:00-04:00). */
export const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether an ISO 8601 string with an offset names a real instant: `Date.parse` rolls 30 February
 * over into March, and takes hour 24 or an offset of +99:00.
 */
export function isRealDateTime(v: string): boolean {
  const m = ISO_WITH_OFFSET.exec(v);
  if (!m) return false;
  const [year, month, day, hour, minute, second = 0, offH = 0, offM = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x))) as number[];
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= lastDay.getUTCDate() && hour <= 23 && minute <= 59 && second <= 59 && offH <= 14 && offM <= 59;
}

/** The UTC year of an ISO date-time (year 0000 exists for JavaScript, not for Postgres). */
export function utcYear(v: string): number {
  return new Date(Date.parse(v)).getUTCFullYear();
}

/**
 * Formatters by their options. Making an Intl.DateTimeFormat costs ~10× using one (48 against 5 µs
 * on the server), and every Q&A state sent to a room formats the session's end (issue 12).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat("en-US", options)));
  return f;
}

function wallParts(instant: Date, timeZone: string) {
  const parts = formatter({
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour") % 24, minute: get("minute"), second: get("second") };
}

/** Minutes east of UTC for `timeZone` at `instant` (New York in May: -240). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const w = wallParts(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** The instant at which the wall clock in `timeZone` reads `day` (YYYY-MM-DD) `time` (HH:MM). */
export function zonedTimeToInstant(day: string, time: string, timeZone: string): Date {
  const [y, mo, d] = day.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let instant = new Date(guess - offsetMinutes(new Date(guess), timeZone) * 60000);
  // A second pass settles instants near a DST change.
  instant = new Date(guess - offsetMinutes(instant, timeZone) * 60000);
  return instant;
}

function pad(n: number, w = 2): string {
  return String(Math.abs(n)).padStart(w, "0");
}

/** ISO 8601 in the given zone with its offset, e.g. 2024-05-23T08:00:00-04:00. */
export function isoInZone(instant: Date, timeZone: string): string {
  const w = wallParts(instant, timeZone);
  const off = offsetMinutes(instant, timeZone);
  const sign = off < 0 ? "-" : "+";
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/** Calendar day (YYYY-MM-DD) of an instant in a zone. */
export function dayInZone(instant: Date, timeZone: string): string {
  const w = wallParts(instant, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** "08:00" (24-hour) in the zone. */
export function formatClock(instant: Date | string, timeZone: string): string {
  const w = wallParts(new Date(instant), timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

function dateParts(instant: Date | string, timeZone: string, weekday: "long" | "short", month: "long" | "short") {
  const parts = formatter({ timeZone, weekday, day: "numeric", month, year: "numeric" }).formatToParts(new Date(instant));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return { weekday: get("weekday"), day: get("day"), month: get("month"), year: get("year") };
}

// Composed from parts so that Node's and the browser's ICU versions print the same string.
/** "Thursday 23 May 2024" in the zone. */
export function formatDay(instant: Date | string, timeZone: string): string {
  const p = dateParts(instant, timeZone, "long", "long");
  return `${p.weekday} ${p.day} ${p.month} ${p.year}`;
}

/** "Thu 23 May" in the zone. */
export function formatShortDay(instant: Date | string, timeZone: string): string {
  const p = dateParts(instant, timeZone, "short", "short");
  return `${p.weekday} ${p.day} ${p.month}`;
}

/** Short zone name for a reader, e.g. "EDT", "GMT+9". */
export function zoneAbbreviation(instant: Date | string, timeZone: string): string {
  const part = formatter({ timeZone, timeZoneName: "short" })
    .formatToParts(new Date(instant))
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone;
}

/** Spoken-friendly duration, e.g. "1 h 30 min", "15 min". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 60000));
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h && m) return `${h} h ${m} min`;
  if (h) return `${h} h`;
  return `${m} min`;
}
