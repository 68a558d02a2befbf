import { eq } from "drizzle-orm";
import { eventRoles, sessionRoles, sessions, users, type SessionRoleName } from "../../db/schema";
import type { PlenaryServices } from "../services";
import { SESSION_COOKIE } from "../auth/cookies";

export interface TestPerson {
  userId: string;
  token: string;
  /** A Cookie header value that signs this person in. */
  cookie: string;
  email: string | null;
}

export interface PersonSpec {
  name: string;
  email?: string;
  affiliation?: string;
  attendanceMode?: "in_person" | "remote";
  kind?: "person" | "device";
  organizer?: boolean;
  /** Holds the event's check-in role (the registration desk). */
  checkIn?: boolean;
  roles?: Array<{ slug: string; role: SessionRoleName }>;
}

/** A participant in the database with a live sign-in, the way the server would create one. */
export async function createPerson(app: PlenaryServices, spec: PersonSpec): Promise<TestPerson> {
  const [user] = await app.db
    .insert(users)
    .values({
      kind: spec.kind ?? "person",
      email: spec.email?.toLowerCase() ?? null,
      name: spec.name,
      affiliation: spec.affiliation ?? null,
      attendanceMode: spec.attendanceMode ?? "remote",
    })
    .returning();
  if (spec.organizer) await app.db.insert(eventRoles).values({ userId: user.id, role: "organizer" });
  if (spec.checkIn) await app.db.insert(eventRoles).values({ userId: user.id, role: "check_in" });
  for (const r of spec.roles ?? []) {
    const [s] = await app.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.slug, r.slug));
    await app.db.insert(sessionRoles).values({ sessionId: s.id, userId: user.id, role: r.role });
  }
  const { token } = await app.auth.startSignIn(user.id, "demo");
  return { userId: user.id, token, cookie: `${SESSION_COOKIE}=${token}`, email: user.email };
}
