import type { Database } from "../../db/client";
import type { CheckInMethod } from "../../db/schema";
import { PASS_URL_PREFIX, type CheckInResult, type DeskCounts, type DeskPerson } from "../../lib/checkin";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { AuthPublisher } from "../auth/publisher";
import type { AuditService } from "../audit/service";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import { newPassCode, passPng, passSvg, passToken, verifyPassToken } from "./pass";
import type { CheckInPublisher } from "./publisher";
import * as q from "./queries";

export interface CheckInDeps {
  db: Database;
  guard: Guard;
  audit: AuditService;
  clock: Clock;
  publish: CheckInPublisher;
  /** A person's sockets reconnect after their check-in, so the server counts them in the room at once. */
  auth: Pick<AuthPublisher, "rolesChanged">;
  /** The server's signing secret (AUTH_SECRET or the generated one). */
  secret: string;
  publicUrl: string;
}

export interface Pass {
  token: string;
  /** What the QR code holds: the pass URL (a phone's camera opens the holder's pass page). */
  url: string;
  /** The QR code as SVG markup (server-made: the page loads no QR code). */
  svg: string;
}

const SEARCH_LIMIT = 25;

/**
 * The registration desk: organizers and check-in helpers find a participant (search, or their pass's QR
 * code), check them in once, and add walk-ins. A checked-in person counts as in the room in every
 * session (server/auth reads `check_ins` into the actor). Every check-in is audited; counts come from
 * the database, so every desk on every instance shows the same numbers.
 */
export class CheckInService {
  constructor(private readonly d: CheckInDeps) {}

  async counts(actor: Actor | null): Promise<DeskCounts> {
    await this.d.guard.require(actor, "checkin:desk");
    return q.counts(this.d.db);
  }

  async search(actor: Actor | null, query: string): Promise<DeskPerson[]> {
    await this.d.guard.require(actor, "checkin:desk");
    return q.search(this.d.db, query, SEARCH_LIMIT);
  }

  /** Checks in the participant chosen in the search, or the holder of a scanned pass. */
  async checkIn(actor: Actor | null, target: { userId: string } | { pass: string }): Promise<CheckInResult> {
    await this.d.guard.require(actor, "checkin:desk");
    let userId: string;
    let method: CheckInMethod;
    if ("pass" in target) {
      userId = await this.holderOf(actor!, target.pass);
      method = "pass";
    } else {
      userId = target.userId;
      method = "search";
    }
    const person = await q.findPerson(this.d.db, userId);
    if (!person) throw new AppError("not_found", "No registered participant has this id. Search again, or add them as a walk-in.");
    return this.admit(actor!, person, method);
  }

  /** A participant who did not register: added (in person, by default) and checked in at once. */
  async walkIn(actor: Actor | null, p: { name: string; email: string; affiliation?: string; attendanceMode: "in_person" | "remote" }): Promise<CheckInResult> {
    await this.d.guard.require(actor, "checkin:desk");
    const userId = await q.insertWalkIn(this.d.db, { name: p.name, email: p.email, affiliation: p.affiliation || null, attendanceMode: p.attendanceMode });
    if (!userId) {
      throw new AppError("already_registered", `${p.email} is already registered. Search for them and check them in from the list.`);
    }
    await this.d.audit.record({
      actor,
      action: "checkin:walk-in",
      outcome: "ok",
      objectType: "user",
      objectId: userId,
      details: { attendanceMode: p.attendanceMode },
    });
    return this.admit(actor!, (await q.findPerson(this.d.db, userId))!, "walk_in");
  }

  /** Whether a person was checked in, and when (their own pass page shows it). */
  async statusOf(userId: string): Promise<{ checkedInAt: string | null }> {
    return { checkedInAt: (await q.findPerson(this.d.db, userId))?.checkedInAt ?? null };
  }

  /** The person's own pass (made on first use), for their phone and their mail. */
  async passFor(userId: string): Promise<Pass> {
    const code = (await q.passCodeOf(this.d.db, userId)) ?? (await q.ensurePassCode(this.d.db, userId, newPassCode()));
    const token = passToken(this.d.secret, code);
    const url = `${this.d.publicUrl}${PASS_URL_PREFIX}${token}`;
    const svg = await passSvg(url);
    return { token, url, svg };
  }

  /** The pass as a PNG (for the e-mail, where inline SVG is not shown). */
  async passPng(userId: string): Promise<Buffer> {
    const { url } = await this.passFor(userId);
    return passPng(url);
  }

  private async holderOf(actor: Actor, token: string): Promise<string> {
    try {
      const code = verifyPassToken(this.d.secret, token);
      const userId = await q.holderOfPass(this.d.db, code);
      if (!userId) throw new AppError("pass_unknown", "This pass is no longer valid (it was withdrawn). Search for the participant by name instead.");
      return userId;
    } catch (err) {
      if (AppError.is(err)) await this.d.audit.record({ actor, action: "checkin:check-in", outcome: "refused", code: err.code, objectType: "pass" });
      throw err;
    }
  }

  private async admit(actor: Actor, person: DeskPerson, method: CheckInMethod): Promise<CheckInResult> {
    const { at, firstTime } = await q.checkIn(this.d.db, person.userId, actor.userId, method, this.d.clock.now());
    await this.d.audit.record({
      actor,
      action: "checkin:check-in",
      outcome: "ok",
      objectType: "user",
      objectId: person.userId,
      details: { method, firstTime, ...(firstTime ? {} : { firstCheckedInAt: at.toISOString() }) },
    });
    const counts = await q.counts(this.d.db);
    if (firstTime) {
      this.d.publish.checkedIn(counts, { userId: person.userId, checkedInAt: at.toISOString() });
      this.d.auth.rolesChanged(person.userId);
    }
    return { person: { ...person, checkedInAt: at.toISOString() }, firstTime, counts };
  }
}
