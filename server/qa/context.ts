/**
 * What every part of Q&A reads the same way: the session, its state as the pages show it, the
 * panelists' names, a person's own questions, and the checks that the session takes questions.
 */
import { createHmac } from "node:crypto";
import type { QaSessionRow, QuestionRow, SessionRow } from "../../db/schema";
import type { OwnQuestion, QaView } from "../../lib/qa";
import type { Actor } from "../auth/actor";
import type { Action } from "../auth/policy";
import { AppError } from "../errors";
import { errorName } from "../log";
import { projectOwn, projectState } from "./projection";
import * as q from "./queries";
import type { AgendaService } from "../agenda/service";
import type { AuditService } from "../audit/service";
import type { Guard } from "../auth/guard";
import type { Clock } from "../clock";
import type { Logger } from "../log";
import type { CommandGate } from "./gate";
import type { QaPublisher } from "./publisher";
import { failureLog } from "../log-throttle";

export interface QaDeps {
  db: q.Db;
  audit: AuditService;
  guard: Guard;
  clock: Clock;
  log: Logger;
  agenda: AgendaService;
  publish: QaPublisher;
  /** The order commands take on the database (gate.ts). */
  gate: CommandGate;
  /** Keys the per-person outbox name (`outboxKey`); the server's auth secret. */
  outboxSecret: string;
  /** Which database `db` is: how many vote batches are written at once depends on it (asking.ts). */
  databaseKind: "pglite" | "postgres";
}

const VIEW_RANK: Record<QaView, number> = { audience: 0, panel: 1, staff: 2 };

export class QaContext {
  constructor(private readonly deps: QaDeps) {}

  session(slug: string): Promise<SessionRow> {
    return this.deps.agenda.requireRow(slug);
  }

  /** The richest view this actor has in the session, lowered to `requested` (a room screen asks for the audience's). */
  viewFor(actor: Actor | null, session: SessionRow, requested?: QaView): QaView | null {
    const allowed = (a: Action) => this.deps.guard.allowed(actor, a, session);
    const best: QaView | null = allowed("question:moderate") ? "staff" : allowed("panel:view") ? "panel" : allowed("question:vote") ? "audience" : null;
    if (!best || !requested) return best;
    return VIEW_RANK[requested] < VIEW_RANK[best] ? requested : best;
  }

  async timeZone(): Promise<string> {
    return (await this.deps.agenda.getEvent()).timeZone;
  }

  async state(session: SessionRow, qa?: QaSessionRow) {
    return projectState(session, qa ?? (await q.getQaSession(this.deps.db, session.id)), this.deps.clock.now(), await this.timeZone());
  }

  async panelistNames(sessionId: string, db: q.Db = this.deps.db): Promise<Map<string, string>> {
    return new Map((await q.panelistsOf(db, sessionId)).map((p) => [p.id, p.name]));
  }

  /**
   * The panelists' names for what one command shows: read (at most once, in `tx`) only when a row
   * is routed to someone or the command routes; most commands (an approval) need none.
   */
  namesOnDemand(sessionId: string, tx: q.Db): (rows: readonly QuestionRow[], needed?: boolean) => Promise<Map<string, string>> {
    let names: Promise<Map<string, string>> | undefined;
    return (rows, needed = false) => {
      if (names || needed || rows.some((r) => r.routedTo)) return (names ??= this.panelistNames(sessionId, tx));
      return Promise.resolve(new Map());
    };
  }

  /**
   * The name of this person's outbox in their browser's storage (docs/architecture.md, "Q&A"):
   * opaque, stable for the person, and not their user id or anything sent anywhere else, so a shared
   * browser never sends one person's queued questions under the next person's sign-in.
   */
  outboxKey(actor: Actor): string {
    return createHmac("sha256", this.deps.outboxSecret).update(`qa-outbox\0${actor.userId}`).digest("base64url").slice(0, 22);
  }

  async ownQuestions(rows: QuestionRow[], onStage: string | null): Promise<OwnQuestion[]> {
    const texts = await q.textsOf(this.deps.db, [...new Set(rows.map((r) => r.mergedInto).filter((x): x is string => Boolean(x)))]);
    return rows.map((r) => projectOwn(r, onStage, texts));
  }

  assertOpen(session: SessionRow, qa: QaSessionRow | undefined, what: "ask" | "vote"): void {
    if (this.deps.clock.now().getTime() >= session.endsAt.getTime()) {
      throw new AppError("session_ended", "This session has ended: questions and votes are closed.");
    }
    if (!session.qaOpen) throw new AppError("qa_closed", "Q&A is closed for this session.");
    if (what === "ask" && qa?.intakePaused)
      throw new AppError("intake_paused", "The moderators have paused new questions for a moment. You can still vote; try again shortly.");
  }

  /**
   * Under the Chatham House Rule the voter links are erased when the session ends (and the agenda may
   * still move its end after that): from the end on, votes can no longer be counted again from who voted.
   */
  votesUnlinked(session: SessionRow, qa: QaSessionRow, now: Date): boolean {
    return session.rule === "chatham_house" && (qa.authorsErasedAt !== null || now.getTime() >= session.endsAt.getTime());
  }

  async announceCounts(session: SessionRow, version: number): Promise<void> {
    try {
      const qa = await q.getQaSession(this.deps.db, session.id);
      this.deps.publish.countsChanged(session.id, version, await this.state(session, qa), await q.counts(this.deps.db, session.id));
    } catch (err) {
      failureLog(this.deps.log).warn("question counts broadcast failed", errorName(err), session.id, { err });
    }
  }
}
