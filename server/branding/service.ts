import type { Database } from "../../db/client";
import { brandingUpdateSchema, type Branding } from "../../lib/branding";
import type { AgendaService } from "../agenda/service";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { AuditService } from "../audit/service";
import type { Clock } from "../clock";
import { parseInput } from "../errors";
import { findBranding, upsertBranding } from "./queries";

/**
 * The event's name, logo and colour as organizers set them (/admin/branding). Whoever may edit the
 * agenda may change how the event presents itself; every change is audited. Read on every page
 * render (the root layout), so it is one primary-key lookup.
 */
export class BrandingService {
  constructor(private readonly deps: { db: Database; agenda: AgendaService; guard: Guard; audit: AuditService; clock: Clock }) {}

  async get(): Promise<Branding> {
    const event = await this.deps.agenda.getEvent();
    const row = await findBranding(this.deps.db, event.id);
    return { name: row?.name ?? null, accent: row?.accent ?? null, logo: row?.logo ?? null };
  }

  async update(actor: Actor | null, input: unknown): Promise<Branding> {
    await this.deps.guard.require(actor, "agenda:edit", undefined, { type: "branding", id: "event" });
    const b = parseInput(brandingUpdateSchema, input);
    const event = await this.deps.agenda.getEvent();
    const before = await this.get();
    await upsertBranding(this.deps.db, event.id, b, actor!.userId, this.deps.clock.now());
    // The logo itself is not copied into the audit log, only whether there is one.
    await this.deps.audit.record({
      actor,
      action: "branding:update",
      outcome: "ok",
      objectType: "branding",
      objectId: event.id,
      before: { name: before.name, accent: before.accent, logo: before.logo !== null },
      after: { name: b.name, accent: b.accent, logo: b.logo !== null },
    });
    return { name: b.name, accent: b.accent, logo: b.logo };
  }
}
