/** Registration and check-in (server/checkin): personal passes and who was checked in when. Re-exported from db/schema.ts. */
import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./schema";

export const checkInMethods = ["search", "pass", "walk_in"] as const;
export type CheckInMethod = (typeof checkInMethods)[number];

/**
 * A participant's personal pass: a random code that the QR on their phone and in their mail carries
 * (with an HMAC over it, server/checkin/pass.ts). Random rather than derived from the user id, so a
 * pass says nothing about who holds it and can be revoked by deleting its row.
 */
export const attendeePasses = pgTable("attendee_passes", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  code: text("code").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
export type AttendeePassRow = typeof attendeePasses.$inferSelect;

/**
 * One row per participant checked in at the desk (the event has one desk list; a second check-in
 * finds this row and says when it was made). A checked-in person counts as in the room in every session.
 */
export const checkIns = pgTable(
  "check_ins",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    checkedInAt: timestamp("checked_in_at", { withTimezone: true }).notNull().defaultNow(),
    /** The organizer or helper at the desk (kept when they are deleted: the check-in stays). */
    checkedInBy: uuid("checked_in_by").references(() => users.id, { onDelete: "set null" }),
    method: text("method", { enum: checkInMethods }).notNull(),
  },
  (t) => [
    index("check_ins_checked_in_at_idx").on(t.checkedInAt),
    index("check_ins_checked_in_by_idx").on(t.checkedInBy),
    check("check_ins_method_valid", sql`${t.method} IN ('search','pass','walk_in')`),
  ],
);
export type CheckInRow = typeof checkIns.$inferSelect;
