import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { eventBranding, type EventBrandingRow } from "../../db/schema";
import type { BrandingUpdate } from "../../lib/branding";

export async function findBranding(db: Database, eventId: string): Promise<EventBrandingRow | null> {
  const [row] = await db.select().from(eventBranding).where(eq(eventBranding.eventId, eventId));
  return row ?? null;
}

export async function upsertBranding(db: Database, eventId: string, b: BrandingUpdate, updatedBy: string, now: Date): Promise<EventBrandingRow> {
  const values = { name: b.name, accent: b.accent, logo: b.logo, updatedAt: now, updatedBy };
  const [row] = await db
    .insert(eventBranding)
    .values({ eventId, ...values })
    .onConflictDoUpdate({ target: eventBranding.eventId, set: values })
    .returning();
  return row;
}
