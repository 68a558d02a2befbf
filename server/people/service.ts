import { and, asc, eq, ilike, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { eventRoles, sessionRoles, sessions, users, type SessionRoleName } from "../../db/schema";
import type { Actor } from "../auth/actor";
import type { AuthPublisher } from "../auth/service";
import * as authq from "../auth/queries";
import type { AuditService } from "../audit/service";
import { AppError } from "../errors";
import { parseParticipantsCsv, type ParsedParticipant, type RowProblem } from "./csv";

export interface ImportPreview {
  total: number;
  valid: ParsedParticipant[];
  problems: RowProblem[];
  fileError?: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  rolesAdded: number;
  skipped: number;
}

export interface StaffMember {
  userId: string;
  name: string | null;
  email: string | null;
  affiliation: string | null;
  role: "moderator" | "panelist";
}

/** Participants, their roles, and the organizer's CSV import. */
export class PeopleService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly publish: AuthPublisher,
  ) {}

  private async slugs(): Promise<Map<string, string>> {
    const rows = await this.db.select({ id: sessions.id, slug: sessions.slug }).from(sessions);
    return new Map(rows.map((r) => [r.slug, r.id]));
  }

  async previewImport(csv: string): Promise<ImportPreview> {
    const slugs = await this.slugs();
    const { rows, problems, fileError } = parseParticipantsCsv(csv, new Set(slugs.keys()));
    return { total: rows.length + problems.length, valid: rows, problems, fileError };
  }

  /** Applies the valid rows. Additive and idempotent: the same file twice changes nothing. */
  async applyImport(csv: string, actor: Actor): Promise<ImportResult & { problems: RowProblem[] }> {
    const preview = await this.previewImport(csv);
    if (preview.fileError) throw new AppError("invalid_payload", preview.fileError);
    const slugs = await this.slugs();
    const result: ImportResult = { created: 0, updated: 0, unchanged: 0, rolesAdded: 0, skipped: preview.problems.length };
    const touched = new Set<string>();
    await this.db.transaction(async (tx) => {
      for (const row of preview.valid) {
        const [existing] = await tx.select().from(users).where(eq(users.email, row.email));
        let userId: string;
        if (!existing) {
          const [created] = await tx
            .insert(users)
            .values({ kind: "person", email: row.email, name: row.name, affiliation: row.affiliation, attendanceMode: row.attendanceMode })
            .returning({ id: users.id });
          userId = created.id;
          result.created++;
        } else {
          userId = existing.id;
          if (existing.name !== row.name || existing.affiliation !== row.affiliation || existing.attendanceMode !== row.attendanceMode) {
            await tx.update(users).set({ name: row.name, affiliation: row.affiliation, attendanceMode: row.attendanceMode }).where(eq(users.id, userId));
            result.updated++;
          } else result.unchanged++;
        }
        if (row.organizer) {
          const added = await tx.insert(eventRoles).values({ userId, role: "organizer" }).onConflictDoNothing().returning({ userId: eventRoles.userId });
          if (added.length) {
            result.rolesAdded++;
            touched.add(userId);
          }
        }
        for (const r of row.roles) {
          const added = await tx
            .insert(sessionRoles)
            .values({ sessionId: slugs.get(r.sessionSlug)!, userId, role: r.role })
            .onConflictDoNothing()
            .returning({ userId: sessionRoles.userId });
          if (added.length) {
            result.rolesAdded++;
            touched.add(userId);
          }
        }
      }
    });
    touched.forEach((id) => this.publish.rolesChanged(id));
    await this.audit.record({ actor, action: "participants:import", outcome: "ok", objectType: "participants", details: { ...result } });
    return { ...result, problems: preview.problems };
  }

  /** Makes sure each address belongs to an organizer (PLENARY_ORGANIZERS at start-up). */
  async ensureOrganizers(emails: string[]): Promise<void> {
    for (const email of emails) {
      await this.db.insert(users).values({ kind: "person", email }).onConflictDoNothing({ target: users.email });
      const user = await authq.findUserByEmail(this.db, email);
      await authq.grantOrganizer(this.db, user!.id);
    }
  }

  async listParticipants(search?: string, limit = 200) {
    const pattern = search ? `%${search.replace(/[%_\\]/g, "\\$&")}%` : undefined;
    return this.db
      .select({
        userId: users.id,
        kind: users.kind,
        name: users.name,
        email: users.email,
        affiliation: users.affiliation,
        attendanceMode: users.attendanceMode,
        isDemo: users.isDemo,
        organizer: sql<boolean>`exists(select 1 from ${eventRoles} where ${eventRoles.userId} = ${users.id})`,
      })
      .from(users)
      .where(and(eq(users.kind, "person"), pattern ? or(ilike(users.name, pattern), ilike(users.email, pattern), ilike(users.affiliation, pattern)) : undefined))
      .orderBy(asc(users.name))
      .limit(limit);
  }

  async staffOf(sessionId: string): Promise<StaffMember[]> {
    const rows = await authq.staffOfSession(this.db, sessionId);
    return rows.map((r) => ({ userId: r.userId, name: r.name, email: r.email, affiliation: r.affiliation, role: r.role as "moderator" | "panelist" }));
  }

  async setRole(actor: Actor, sessionSlug: string, email: string, role: Extract<SessionRoleName, "moderator" | "panelist">, grant: boolean) {
    const [session] = await this.db.select().from(sessions).where(eq(sessions.slug, sessionSlug));
    if (!session) throw new AppError("not_found", `There is no session "${sessionSlug}" in the programme.`);
    const user = await authq.findUserByEmail(this.db, email);
    if (!user) throw new AppError("not_found", `No participant has the e-mail ${email}. Import them first.`);
    const changed = grant ? await authq.grantSessionRole(this.db, session.id, user.id, role) : await authq.revokeSessionRole(this.db, session.id, user.id, role);
    if (changed) {
      this.publish.rolesChanged(user.id);
      await this.audit.record({
        actor,
        action: grant ? "role:grant" : "role:revoke",
        outcome: "ok",
        objectType: "user",
        objectId: user.id,
        session: { id: session.id, rule: session.rule },
        details: { role, participant: user.name },
      });
    }
    return { changed, staff: await this.staffOf(session.id) };
  }
}
