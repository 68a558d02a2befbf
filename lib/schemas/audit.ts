import { dateTimeField, z } from "./zod";
import { zonedTimeToInstant, isoInZone } from "../time";
import { slugField, textField } from "../text";

/** Filters of the audit log, from a query string (GET /api/admin/audit, /admin/audit); text goes through lib/text.ts. */
export const auditFilterSchema = z.object({
  session: slugField.optional(),
  action: textField({ what: "The action filter", max: 60 }).optional(),
  actor: textField({ what: "The actor filter", max: 120 }).optional(),
  outcome: z.enum(["ok", "refused"]).optional(),
  from: dateTimeField({ fromYear: 1970, toYear: 9999 }).optional(),
  to: dateTimeField({ fromYear: 1970, toYear: 9999 }).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const localMinute = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/;

/**
 * Parses the filters. With `localTimeZone` (the console's form, whose date-time fields have no
 * offset), `from` and `to` may also be wall-clock minutes in that zone, e.g. 2024-05-24T09:00; `to`
 * then includes that whole minute.
 */
export function auditFilterFrom(params: URLSearchParams | Record<string, string | undefined>, opts: { localTimeZone?: string } = {}) {
  const raw = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  const cleaned: Record<string, string> = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
  const zone = opts.localTimeZone;
  if (zone) {
    for (const key of ["from", "to"] as const) {
      const m = localMinute.exec(cleaned[key] ?? "");
      if (!m) continue;
      const instant = zonedTimeToInstant(m[1], m[2], zone);
      cleaned[key] = key === "to" ? new Date(instant.getTime() + 59_999).toISOString() : instant.toISOString();
    }
  }
  return auditFilterSchema.safeParse(cleaned);
}

/** The value of a datetime-local field (wall clock in `timeZone`) for a filter value: a wall-clock minute or an ISO instant. */
export function localMinuteIn(value: string, timeZone: string): string {
  if (localMinute.test(value)) return value;
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(value)) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : isoInZone(d, timeZone).slice(0, 16);
}
