import { eq } from "drizzle-orm";
import type { Database } from "../client";
import { eventRoles, sessionRoles, sessions, users } from "../schema";

/**
 * Demo mode only (`npm run demo`): clearly fictional people so a newcomer can try every role.
 * Addresses use the reserved example.org domain; affiliations are marked fictional.
 */
export const demoPeople = [
  {
    key: "organizer",
    role: "Organizer",
    name: "Avery Quinn",
    email: "organizer@example.org",
    affiliation: "Plenary demo organizers (fictional)",
    attendanceMode: "in_person",
  },
  {
    key: "moderator-thu",
    role: "Moderator, Day 1 sessions",
    name: "Morgan Ellis",
    email: "moderator.thursday@example.org",
    affiliation: "Demo Moderation Desk (fictional)",
    attendanceMode: "in_person",
  },
  {
    key: "moderator-fri",
    role: "Moderator, Day 2 sessions",
    name: "Riley Santos",
    email: "moderator.friday@example.org",
    affiliation: "Demo Moderation Desk (fictional)",
    attendanceMode: "in_person",
  },
  {
    key: "attendee-room",
    role: "Attendee in the room",
    name: "Jordan Blake",
    email: "jordan.blake@example.org",
    affiliation: "Example Aerospace Inc. (fictional)",
    attendanceMode: "in_person",
  },
  {
    key: "attendee-remote",
    role: "Remote attendee",
    name: "Sam Okafor",
    email: "sam.okafor@example.org",
    affiliation: "Embassy of Freedonia (fictional)",
    attendanceMode: "remote",
  },
  {
    key: "attendee-remote-2",
    role: "Remote attendee",
    name: "Kim Lindqvist",
    email: "kim.lindqvist@example.org",
    affiliation: "Ruritania Ministry of Defence (fictional)",
    attendanceMode: "remote",
  },
] as const;

export async function seedDemoPeople(db: Database): Promise<void> {
  const ids = new Map<string, string>();
  for (const p of demoPeople) {
    await db
      .insert(users)
      .values({
        kind: "person",
        email: p.email,
        name: `${p.name} (demo)`,
        affiliation: p.affiliation,
        attendanceMode: p.attendanceMode,
        isDemo: true,
        emailVerified: new Date(),
      })
      .onConflictDoNothing({ target: users.email });
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, p.email));
    ids.set(p.key, row.id);
  }
  await db
    .insert(eventRoles)
    .values({ userId: ids.get("organizer")!, role: "organizer" })
    .onConflictDoNothing();

  const qaSessions = (await db.select().from(sessions).where(eq(sessions.qaEnabled, true))).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  let n = 0;
  for (const s of qaSessions) {
    n++;
    const moderator = ids.get(s.day === "2024-05-23" ? "moderator-thu" : "moderator-fri")!;
    await db.insert(sessionRoles).values({ sessionId: s.id, userId: moderator, role: "moderator" }).onConflictDoNothing();
    const email = `panelist.${s.slug}@example.org`;
    await db
      .insert(users)
      .values({
        kind: "person",
        email,
        name: `Demo Panelist ${n} (demo)`,
        affiliation: "Demo Panel (fictional)",
        attendanceMode: "in_person",
        isDemo: true,
        emailVerified: new Date(),
      })
      .onConflictDoNothing({ target: users.email });
    const [panelist] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    await db.insert(sessionRoles).values({ sessionId: s.id, userId: panelist.id, role: "panelist" }).onConflictDoNothing();
  }
}
