import type { AgendaPublisher } from "./publisher";
import type { Database } from "../../db/client";
import type { NewSessionRow, SessionRow, EventRow } from "../../db/schema";
import { nonInteractiveKinds, type AgendaItem, type EventInfo } from "../../lib/agenda";
import { agendaPatchSchema, type AgendaPatch } from "../../lib/schemas/agenda";
import { dayInZone, isoInZone } from "../../lib/time";
import { AppError, parseInput, sessionNotFound } from "../errors";
import type { Actor } from "../auth/actor";
import type { AuditService } from "../audit/service";
import { newAccessCode } from "../auth/tokens";
import { isCheckViolation } from "../db-errors";
import * as q from "./queries";

export function toAgendaItem(row: SessionRow, timeZone: string): AgendaItem {
  return {
    slug: row.slug,
    day: row.day,
    startsAt: isoInZone(row.startsAt, timeZone),
    endsAt: isoInZone(row.endsAt, timeZone),
    title: row.title,
    topic: row.topic,
    description: row.description,
    kind: row.kind,
    host: row.host,
    rule: row.rule,
    streamed: row.streamed,
    recordingAllowed: row.recordingAllowed,
    qaEnabled: row.qaEnabled,
    pollsEnabled: row.pollsEnabled,
    qaMode: row.qaMode,
    qaOpen: row.qaOpen,
    version: row.version,
  };
}

/** The programme: reading it, and changing an item within the event's rules. */
export class AgendaService {
  private event?: EventRow;
  /** Reads of a session by slug still in flight, shared by whoever asks meanwhile (see `findRow`). */
  private readonly reading = new Map<string, Promise<SessionRow | undefined>>();
  /** Session rows kept for staff commands, with their stamps (see `keptRow`). */
  private readonly kept = new Map<string, { row: SessionRow; stamp: string }>();

  constructor(
    private readonly db: Database,
    private readonly publish: AgendaPublisher,
    private readonly audit?: AuditService,
  ) {}

  async getEvent(): Promise<EventRow> {
    if (!this.event) {
      const row = await q.findEvent(this.db);
      if (!row) throw new AppError("unavailable", "The event has not been loaded yet.");
      this.event = row;
    }
    return this.event;
  }

  async eventInfo(): Promise<EventInfo> {
    const [event, items] = await Promise.all([this.getEvent(), this.list()]);
    return {
      slug: event.slug,
      name: event.name,
      theme: event.theme,
      summary: event.summary,
      venue: event.venue,
      city: event.city,
      timeZone: event.timeZone,
      startsAt: items[0]?.startsAt ?? "",
      endsAt: items.reduce((max, i) => (Date.parse(i.endsAt) > Date.parse(max) ? i.endsAt : max), items[0]?.endsAt ?? ""),
    };
  }

  async list(): Promise<AgendaItem[]> {
    const event = await this.getEvent();
    return (await q.listSessions(this.db)).map((r) => toAgendaItem(r, event.timeZone));
  }

  /**
   * A room of phones joining at once asks for the same session thousands of times within a second:
   * whoever asks while a read of it is waiting or in flight shares that read. Nothing is kept once it
   * is answered, so no row is older than a read that was already running when its caller asked.
   * `gather` (for reads nothing is written on, like `session:join`) starts a new read one event-loop
   * turn later, so every request that arrives in that turn shares it, even when the database answers
   * before the next request is parsed.
   */
  findRow(slug: string, opts: { gather?: boolean } = {}): Promise<SessionRow | undefined> {
    let read = this.reading.get(slug);
    if (!read) {
      const start = opts.gather ? new Promise<void>((resolve) => setImmediate(resolve)) : Promise.resolve();
      read = start.then(() => q.findSessionBySlug(this.db, slug)).finally(() => this.reading.delete(slug));
      this.reading.set(slug, read);
    }
    return read;
  }

  /**
   * The session for a staff command, as kept from an earlier one, or read now when `fresh` or not
   * kept. A kept row may be out of date (another instance may have changed it): a command decided on
   * one must confirm its stamp in its own transaction (`sessionStamp`), and run again on a fresh row
   * if it changed. That spares a moderator's approval a read before its transaction.
   */
  async keptRow(slug: string, fresh = false): Promise<{ row: SessionRow; stamp: string; kept: boolean }> {
    const kept = fresh ? undefined : this.kept.get(slug);
    if (kept) return { ...kept, kept: true };
    const found = await q.findStampedSession(this.db, slug);
    if (!found) {
      this.kept.delete(slug);
      throw sessionNotFound(slug);
    }
    this.kept.set(slug, found);
    return { ...found, kept: false };
  }

  /** The session, or the `not_found` refusal every capability gives for an unknown slug. */
  async requireRow(slug: string, opts: { gather?: boolean } = {}): Promise<SessionRow> {
    const row = await this.findRow(slug, opts);
    if (!row) throw sessionNotFound(slug);
    return row;
  }

  async get(slug: string): Promise<AgendaItem> {
    const row = await this.requireRow(slug);
    return toAgendaItem(row, (await this.getEvent()).timeZone);
  }

  /**
   * Changes one item. The patch is parsed here too (callers may be forms, routes or scripts), checked
   * against the event's invariants, written only if nobody changed the item meanwhile (with its audit
   * entry, in one transaction), and announced to every open page as `agenda:changed`.
   */
  async update(slug: string, rawPatch: unknown, opts: { expectedVersion?: number; actor?: Actor | null } = {}): Promise<AgendaItem> {
    await this.getEvent();
    const { item, row } = await this.db.transaction((tx) => this.updateIn(tx, slug, rawPatch, opts));
    // Outside the transaction: a colliding code is drawn again, which an aborted Postgres transaction could not do.
    if (row.qaEnabled && !row.accessCode) await this.assignAccessCode(row);
    this.announce(item);
    return item;
  }

  /**
   * `update` inside the caller's transaction `tx`, audit entry included; the caller announces the
   * item (`announce`) once it committed. The event row must be loaded already (it is from start-up).
   */
  async updateIn(
    tx: Database,
    slug: string,
    rawPatch: unknown,
    opts: { expectedVersion?: number; actor?: Actor | null } = {},
  ): Promise<{ item: AgendaItem; row: SessionRow }> {
    const { expectedVersion, actor } = opts;
    const patch = parseInput(agendaPatchSchema, rawPatch);
    const row = await q.findSessionBySlug(tx, slug);
    if (!row) throw sessionNotFound(slug);
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw new AppError("version_conflict", "Someone else changed this session since you opened it. Reload to see their change, then edit again.", {
        currentVersion: row.version,
      });
    }
    const event = await this.getEvent();
    const changes = this.checkedChanges(row, patch, event.timeZone);
    let updated: SessionRow | undefined;
    try {
      updated = await q.updateSessionAtVersion(tx, row.id, row.version, changes);
    } catch (err) {
      if (isCheckViolation(err, "sessions_chatham_house_not_streamed_or_recorded")) {
        throw new AppError("policy_violation", "A Chatham House session can never be streamed or recorded.");
      }
      throw err;
    }
    if (!updated) {
      throw new AppError("version_conflict", "Someone else changed this session at the same moment. Reload to see their change, then edit again.");
    }
    const item = toAgendaItem(updated, event.timeZone);
    await this.audit?.recordIn(tx, {
      actor: actor ?? null,
      action: "agenda:edit",
      outcome: "ok",
      objectType: "session",
      objectId: slug,
      session: { id: row.id, rule: row.rule },
      before: Object.fromEntries(Object.keys(patch).map((k) => [k, toAgendaItem(row, event.timeZone)[k as keyof AgendaItem]])),
      after: patch,
    });
    return { item, row: updated };
  }

  /** Tells every open page about a committed change. */
  announce(item: AgendaItem): void {
    this.kept.delete(item.slug);
    this.publish.agendaChanged(item);
  }

  /** Every Q&A session has a room code: at start-up, and whenever Q&A is turned on. */
  async ensureAccessCodes(): Promise<void> {
    for (const row of await q.listSessions(this.db)) if (row.qaEnabled && !row.accessCode) await this.assignAccessCode(row);
  }

  private async assignAccessCode(row: SessionRow): Promise<SessionRow | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await q.setAccessCode(this.db, row.id, newAccessCode());
      } catch {
        // a collision with another session's code (about 1 in 10^10): draw again
      }
    }
    throw new Error("could not draw a unique access code");
  }

  private checkedChanges(row: SessionRow, patch: AgendaPatch, timeZone: string): Partial<NewSessionRow> {
    const next = { ...row, ...patch } as SessionRow & AgendaPatch;
    const startsAt = patch.startsAt ? new Date(patch.startsAt) : row.startsAt;
    const endsAt = patch.endsAt ? new Date(patch.endsAt) : row.endsAt;
    if (endsAt <= startsAt) throw new AppError("invalid_payload", "endsAt: The end time must be after the start time.");
    if (row.rule === "chatham_house" && (next.streamed || next.recordingAllowed)) {
      throw new AppError("policy_violation", "This session is held under the Chatham House Rule: it stays in the room and can never be streamed or recorded.");
    }
    if (next.recordingAllowed && !next.streamed) {
      throw new AppError("policy_violation", "Only a streamed session can be recorded: turn streaming on first.");
    }
    if (nonInteractiveKinds.includes(row.kind) && (next.qaEnabled || next.pollsEnabled || next.streamed)) {
      throw new AppError("policy_violation", "Registration, breaks, meals and the reception have no Q&A, polls or stream.");
    }
    const changes: Partial<NewSessionRow> = {};
    for (const key of ["title", "topic", "description", "streamed", "recordingAllowed", "qaEnabled", "pollsEnabled", "qaMode", "qaOpen"] as const) {
      if (patch[key] !== undefined) (changes as Record<string, unknown>)[key] = patch[key];
    }
    if (patch.startsAt) {
      changes.startsAt = startsAt;
      changes.day = dayInZone(startsAt, timeZone);
    }
    if (patch.endsAt) changes.endsAt = endsAt;
    return changes;
  }
}
