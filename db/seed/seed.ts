import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { events, sessions } from "../schema";
import { zonedTimeToInstant } from "../../lib/time";
import { fmsEvent, policyFor, programme } from "./programme";

/**
 * Loads the FMS 2024 programme. Idempotent: rows that exist (by slug) are left as they are, so an
 * organizer's edits survive restarts.
 */
export async function seedProgramme(db: Database): Promise<{ eventId: string; inserted: number }> {
  await db.insert(events).values(fmsEvent).onConflictDoNothing({ target: events.slug });
  const [event] = await db.select({ id: events.id }).from(events).where(eq(events.slug, fmsEvent.slug));
  const rows = programme.map((item) => ({
    eventId: event.id,
    slug: item.slug,
    day: item.day,
    startsAt: zonedTimeToInstant(item.day, item.start, fmsEvent.timeZone),
    endsAt: zonedTimeToInstant(item.day, item.end, fmsEvent.timeZone),
    title: item.title,
    topic: item.topic ?? null,
    description: item.description ?? null,
    kind: item.kind,
    ...policyFor(item),
  }));
  const inserted = await db.insert(sessions).values(rows).onConflictDoNothing({ target: sessions.slug }).returning({ id: sessions.id });
  return { eventId: event.id, inserted: inserted.length };
}
