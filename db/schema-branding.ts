import { sql } from "drizzle-orm";
import { check, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { events } from "./schema";

/**
 * The event's look (lib/branding.ts): one row per event, absent until an organizer sets it. The
 * checks repeat the form's rules so nothing else can store an unreadable colour or a non-image logo.
 */
export const eventBranding = pgTable(
  "event_branding",
  {
    eventId: uuid("event_id")
      .primaryKey()
      .references(() => events.id, { onDelete: "cascade" }),
    name: text("name"),
    accent: text("accent"),
    logo: text("logo"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid("updated_by"),
  },
  (t) => [
    check("event_branding_accent_hex", sql`${t.accent} IS NULL OR ${t.accent} ~ '^#[0-9a-f]{6}$'`),
    check("event_branding_name_length", sql`${t.name} IS NULL OR char_length(${t.name}) BETWEEN 1 AND 80`),
    // "." for the ";" of "image/png;base64": drizzle-kit splits generated SQL at semicolons.
    check("event_branding_logo_image", sql`${t.logo} IS NULL OR (${t.logo} ~ '^data:image/(png|jpeg|webp).base64,' AND length(${t.logo}) <= 90000)`),
  ],
);
export type EventBrandingRow = typeof eventBranding.$inferSelect;
