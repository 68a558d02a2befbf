import type { Database } from "../../db/client";
import type { SessionRoleName } from "../../db/schema";
import type { Actor } from "../auth/actor";
import type { AuthPublisher } from "../auth/publisher";
import * as authq from "../auth/queries";
import type { AuditService } from "../audit/service";
import { AppError, sessionNotFound } from "../errors";
import { parseParticipantsCsv, type ParsedParticipant, type RowProblem } from "./csv";
import * as q from "./queries";
import { withoutControls } from "../../lib/text";

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

  async previewImport(csv: string): Promise<ImportPreview> {
    const slugs = await q.sessionIdsBySlug(this.db);
    const { rows, problems, fileError } = parseParticipantsCsv(csv, new Set(slugs.keys()));
    return { total: rows.length + problems.length, valid: rows, problems, fileError };
  }

  /** Applies the valid rows. Additive and idempotent: the same file twice changes nothing. */
  async applyImport(csv: string, actor: Actor): Promise<ImportResult & { problems: RowProblem[] }> {
    const preview = await this.previewImport(csv);
    if (preview.fileError) throw new AppError("invalid_payload", preview.fileError);
    const slugs = await q.sessionIdsBySlug(this.db);
    const result: ImportResult = { created: 0, updated: 0, unchanged: 0, rolesAdded: 0, skipped: preview.problems.length };
    const touched = new Set<string>();
    await this.db.transaction(async (tx) => {
      for (const row of preview.valid) {
        const existing = await q.findPersonByEmail(tx, row.email);
        const details = { name: row.name, affiliation: row.affiliation, attendanceMode: row.attendanceMode };
        let userId: string;
        if (!existing) {
          userId = await q.insertPerson(tx, { email: row.email, ...details });
          result.created++;
        } else {
          userId = existing.id;
          if (existing.name !== row.name || existing.affiliation !== row.affiliation || existing.attendanceMode !== row.attendanceMode) {
            await q.updatePerson(tx, userId, details);
            result.updated++;
          } else result.unchanged++;
        }
        const added = [row.organizer ? await q.addOrganizer(tx, userId) : false, row.checkIn ? await q.addCheckInRole(tx, userId) : false];
        for (const r of row.roles) added.push(await q.addSessionRole(tx, slugs.get(r.sessionSlug)!, userId, r.role));
        const n = added.filter(Boolean).length;
        if (n) {
          result.rolesAdded += n;
          touched.add(userId);
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
      await q.ensurePerson(this.db, email);
      const user = await authq.findUserByEmail(this.db, email);
      await authq.grantOrganizer(this.db, user!.id);
    }
  }

  async listParticipants(search?: string, limit = 200) {
    return q.listPeople(this.db, search === undefined ? undefined : withoutControls(search), limit);
  }

  /** How many people `listParticipants` would list without its limit. */
  async countParticipants(search?: string): Promise<number> {
    return q.countPeople(this.db, search === undefined ? undefined : withoutControls(search));
  }

  async staffOf(sessionId: string): Promise<StaffMember[]> {
    const rows = await authq.staffOfSession(this.db, sessionId);
    return rows.map((r) => ({ userId: r.userId, name: r.name, email: r.email, affiliation: r.affiliation, role: r.role as "moderator" | "panelist" }));
  }

  async setRole(actor: Actor, sessionSlug: string, email: string, role: Extract<SessionRoleName, "moderator" | "panelist">, grant: boolean) {
    const session = await q.findSessionBySlug(this.db, sessionSlug);
    if (!session) throw sessionNotFound(sessionSlug);
    const user = await authq.findUserByEmail(this.db, email);
    if (!user) throw new AppError("not_found", `No participant has the e-mail ${email}. Import them first.`);
    const changed = grant
      ? await authq.grantSessionRole(this.db, session.id, user.id, role)
      : await authq.revokeSessionRole(this.db, session.id, user.id, role);
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
