import type { Database } from "../../db/client";
import type { SessionRule } from "../../lib/agenda";
import { hasSessionRole, type Actor } from "../auth/actor";
import type { Logger } from "../log";
import { findNamedChathamEntries, insertAudit, listAudit, rewriteAuditEntry, ROUTED_TO_A_PANELIST, type AuditFilter, type NewAudit } from "./queries";

export interface AuditEntry {
  actor: Actor | null;
  /** Who acted when no person did (e.g. "Recording guard (LiveKit webhook)"). */
  systemLabel?: string;
  action: string;
  outcome: "ok" | "refused";
  code?: string;
  objectType?: string;
  objectId?: string;
  session?: { id: string; rule: SessionRule };
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

/** Keys that could name an audience member; dropped from entries of Chatham House sessions. */
const IDENTITY_KEYS = new Set(["authorId", "voterId", "userId", "email", "affiliation", "authorName", "authorAffiliation", "authorEmail"]);

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !IDENTITY_KEYS.has(k))
        .map(([k, v]) => [k, scrub(v)]),
    );
  }
  return value;
}

/** The row for an entry: under the Rule an audience member is never identified, not even to organizers. */
function auditRow(e: AuditEntry): NewAudit {
  const chatham = e.session?.rule === "chatham_house";
  const anonymous = chatham && e.actor && !e.actor.isOrganizer && !hasSessionRole(e.actor, e.session!.id, "moderator", "panelist");
  const clean = (v: unknown) => (v === undefined ? null : chatham ? scrub(v) : v);
  return {
    actorId: anonymous ? null : (e.actor?.userId ?? null),
    actorLabel: anonymous ? "Audience member (anonymous under the Chatham House Rule)" : !e.actor && e.systemLabel ? e.systemLabel : actorLabel(e.actor),
    action: e.action,
    outcome: e.outcome,
    code: e.code ?? null,
    objectType: e.objectType ?? null,
    objectId: e.objectId ?? null,
    sessionId: e.session?.id ?? null,
    before: clean(e.before),
    after: clean(e.after),
    details: clean(e.details),
  };
}

function roleLabel(e: { staffRoles: string[]; organizer: boolean }): string {
  if (e.staffRoles.includes("moderator")) return "Moderator";
  if (e.staffRoles.includes("panelist")) return "Panelist";
  return e.organizer ? "Organizer" : "Staff";
}

/** The content of an entry without the panelists it names: `routedTo` keeps only that it was a panelist; "Routed to <name>." says "a panelist". */
function withoutSpeakers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpeakers);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (k === "routedTo" && v && typeof v === "object") return [k, { name: "Panelist" }];
        if (k === "panelistId" && typeof v === "string") return [k, null];
        if (k === "summary" && typeof v === "string" && v.startsWith("Routed to ")) return [k, ROUTED_TO_A_PANELIST];
        return [k, withoutSpeakers(v)];
      }),
    );
  }
  return value;
}

export function actorLabel(actor: Actor | null): string {
  if (!actor) return "Not signed in";
  if (actor.kind === "device") return `${actor.name ?? "Room device"} (joined with code)`;
  return actor.name ?? "Unnamed participant";
}

/**
 * The moderation trail. `recordIn` writes an entry inside the caller's transaction, so an action and
 * its entry commit together or not at all (a failed write fails the action). `record` is for entries
 * that stand alone (refusals, system events): its writes never throw into the caller's path; a failed
 * write is logged. Both go through the same Chatham House anonymisation.
 */
export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    try {
      await insertAudit(this.db, auditRow(e));
    } catch (err) {
      this.log.error("audit write failed", { action: e.action, err });
    }
  }

  /**
   * Writes the entry in `tx` (an open transaction), sent when called; errors reach the caller, whose
   * transaction then rolls back.
   */
  async recordIn(tx: Database, e: AuditEntry): Promise<void> {
    await insertAudit(tx, auditRow(e));
  }

  /**
   * Chatham House, at the end of a session: entries that tie a panelist or moderator to what was
   * discussed ("<panelist> marked answered: <question>", "Routed to <panelist>") keep their role,
   * action, outcome and time and lose the person. Organizers' administrative entries (agenda, roles,
   * streams) keep their name: they say nothing about what was said. Idempotent, in `tx`.
   */
  async anonymiseEndedChatham(tx: Database, now: Date): Promise<number> {
    const entries = await findNamedChathamEntries(tx, now);
    for (const e of entries) {
      await rewriteAuditEntry(tx, e.id, {
        ...(e.named ? { actorId: null, actorLabel: `${roleLabel(e)} (anonymous under the Chatham House Rule)` } : {}),
        before: withoutSpeakers(e.before),
        after: withoutSpeakers(e.after),
        details: withoutSpeakers(e.details),
      });
    }
    return entries.length;
  }

  list(filter: AuditFilter) {
    return listAudit(this.db, filter);
  }
}
