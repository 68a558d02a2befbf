/**
 * Audience Q&A. Every command is authorized through the guard, checked against the session's state,
 * written in one transaction (under the session's Q&A row lock, which orders the session's versions)
 * and only then acknowledged and announced through the publisher port. The work is split by
 * responsibility: reading (reading.ts), asking and voting (asking.ts), moderation (moderation.ts),
 * what an action changes (changes.ts); this class composes them and runs each command at the gate.
 */
import type { ModerationResult, QaView, SimilarQuestion, SubmitResult, VoteResult } from "../../lib/qa";
import type { CommandInput } from "../../lib/realtime/contract";
import type { Actor } from "../auth/actor";
import { QaAsking } from "./asking";
import { QaContext, type QaDeps } from "./context";
import { CommandGate, type Lane } from "./gate";
import { QaModeration } from "./moderation";
import * as q from "./queries";
import { QaReading, type JoinView, type ViewSync } from "./reading";
import { eraseEndedChathamAttendees } from "../people/queries";
import { eraseEndedChathamNotes } from "../messages/queries";

export { ASK_LIMIT } from "./asking";
export type { QaDeps } from "./context";

export type QaServiceOptions = Omit<QaDeps, "gate">;

export class QaService {
  readonly gate: CommandGate;
  private readonly deps: QaDeps;
  private readonly ctx: QaContext;
  private readonly reading: QaReading;
  private readonly asking: QaAsking;
  private readonly moderation: QaModeration;

  constructor(options: QaServiceOptions) {
    this.gate = new CommandGate({ audienceConcurrency: 8 });
    this.deps = { ...options, gate: this.gate };
    this.ctx = new QaContext(this.deps);
    this.reading = new QaReading(this.deps, this.ctx);
    this.asking = new QaAsking(this.deps, this.ctx);
    this.moderation = new QaModeration(this.deps, this.ctx);
  }

  /** Votes received and not yet answered (for tests and logs). */
  get votesPending(): number {
    return this.asking.votesPending;
  }

  /** Votes in the batches being written (for tests). */
  get votesWriting(): number {
    return this.asking.votesWriting;
  }

  /** How many vote batches are written at once (for tests). */
  get voteBatchesAtOnce(): number {
    return this.asking.batchesAtOnce;
  }

  /** The opaque name of this person's outbox in their browser (context.ts). */
  outboxKey(actor: Actor): string {
    return this.ctx.outboxKey(actor);
  }

  // Syncs and votes take their turn at the gate in batches; the other commands one by one, staff
  // commands in their own lane ahead of the audience's, so approvals do not wait behind a vote storm.

  sync(actor: Actor | null, input: CommandInput<"qa:sync">, screens?: ReadonlySet<string>, join?: JoinView): Promise<ViewSync> {
    return this.reading.sync(actor, input, screens, join);
  }

  similar(actor: Actor | null, input: CommandInput<"question:similar">): Promise<SimilarQuestion[]> {
    return this.gate.run(() => this.reading.similar(actor, input), "audience");
  }

  submit(actor: Actor | null, input: CommandInput<"question:submit">): Promise<SubmitResult> {
    return this.gate.run(() => this.asking.submit(actor, input), "audience");
  }

  vote(actor: Actor | null, input: CommandInput<"question:vote">): Promise<VoteResult> {
    return this.asking.vote(actor, input);
  }

  moderate(actor: Actor | null, input: CommandInput<"question:moderate">): Promise<ModerationResult> {
    return this.gate.run(() => this.moderation.moderate(actor, input), laneOf(actor));
  }

  answer(actor: Actor | null, input: CommandInput<"question:answer">): Promise<ModerationResult> {
    return this.gate.run(() => this.moderation.answer(actor, input), laneOf(actor));
  }

  undo(actor: Actor | null, input: CommandInput<"qa:undo">): Promise<ModerationResult> {
    return this.gate.run(() => this.moderation.undo(actor, input), laneOf(actor));
  }

  pause(actor: Actor | null, input: CommandInput<"qa:pause">): Promise<ModerationResult> {
    return this.gate.run(() => this.moderation.pause(actor, input), laneOf(actor));
  }

  interleave(actor: Actor | null, input: CommandInput<"qa:interleave">): Promise<ModerationResult> {
    return this.gate.run(() => this.moderation.interleave(actor, input), laneOf(actor));
  }

  configure(actor: Actor | null, input: CommandInput<"qa:configure">): Promise<ModerationResult> {
    return this.gate.run(() => this.moderation.configure(actor, input), laneOf(actor));
  }

  // ── Chatham House: forgetting who asked ────────────────────────────────────────────────────────

  /**
   * Erases the author and voter links of every Chatham House session that has ended. Runs at start-up
   * and every few seconds; idempotent, so any number of instances may run it.
   */
  async eraseEndedAuthorLinks(): Promise<{ sessionIds: string[]; questions: number; votes: number; attendees: number; notes: number; auditEntries: number }> {
    const now = this.deps.clock.now();
    const erased = await this.deps.db.transaction(async (tx) => {
      const links = await q.eraseEndedChathamLinks(tx, now);
      // Room devices' attendance and the audit entries naming speakers go in the same end-of-session step.
      const devices = await eraseEndedChathamAttendees(tx, now);
      // The producers' private notes to the panel are not kept after the session either (server/messages).
      const notes = await eraseEndedChathamNotes(tx, now);
      const erased = {
        ...links,
        sessionIds: [...new Set([...links.sessionIds, ...devices.sessionIds, ...notes.sessionIds])],
        attendees: devices.attendees,
        notes: notes.notes,
        auditEntries: 0,
      };
      for (const sessionId of erased.sessionIds) {
        await this.deps.audit.recordIn(tx, {
          actor: null,
          action: "qa:erase-author-links",
          outcome: "ok",
          objectType: "session",
          objectId: sessionId,
          session: { id: sessionId, rule: "chatham_house" },
          details: { reason: "The session ended: under the Chatham House Rule the links between questions, votes and people are erased." },
        });
      }
      erased.auditEntries = await this.deps.audit.anonymiseEndedChatham(tx, now);
      return erased;
    });
    if (erased.sessionIds.length || erased.auditEntries)
      this.deps.log.info("chatham house author links erased", {
        sessions: erased.sessionIds.length,
        questions: erased.questions,
        votes: erased.votes,
        attendees: erased.attendees,
        notes: erased.notes,
        auditEntries: erased.auditEntries,
      });
    return erased;
  }
}

/**
 * Only people who hold a staff role somewhere get the staff lane: an attendee's forged staff command
 * waits with the audience (and is refused by the policy when its turn comes).
 */
function laneOf(actor: Actor | null): Lane {
  if (!actor) return "audience";
  if (actor.isOrganizer) return "staff";
  for (const roles of actor.sessionRoles.values()) if (roles.has("moderator") || roles.has("panelist")) return "staff";
  return "audience";
}

export type { QaView };
