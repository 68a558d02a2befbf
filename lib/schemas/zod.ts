import { z } from "zod";
import { ISO_WITH_OFFSET, isRealDateTime, utcYear } from "../time";

// Zod compiles fast object parsers with `new Function` when it may, and probes for that when a schema
// is built. The content security policy allows no eval, so in the browser even the probe is a
// reported violation: there, parse without compiling (payloads are small). The server keeps the
// compiled parsers. Every schema module imports `z` from here, so this runs before any schema exists.
if (typeof window !== "undefined") z.config({ jitless: true });

export { z };

/**
 * A date-time with its offset (lib/time.ts), a real one, in the years given: a typo'd year (0024,
 * 9999) is refused here rather than stored (or, for year 0, refused by Postgres as a fault).
 */
export function dateTimeField({ fromYear, toYear }: { fromYear: number; toYear: number }) {
  return z
    .string()
    .regex(ISO_WITH_OFFSET, "Use an ISO 8601 date-time with an offset, e.g. 2024-05-23T08:00:00-04:00.")
    .refine(isRealDateTime, "Not a real date-time: check the day of the month, the hour and the offset.")
    .refine((v) => utcYear(v) >= fromYear && utcYear(v) <= toYear, `Use a date between ${fromYear} and ${toYear}.`);
}
