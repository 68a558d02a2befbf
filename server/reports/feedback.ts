import type { Database } from "../../db/client";
import { nonInteractiveKinds } from "../../lib/agenda";
import type { FeedbackForm, FeedbackQuestion } from "../../lib/admin";
import type { feedbackQuestionsSchema, feedbackSubmitSchema } from "../../lib/schemas/feedback";
import type { z } from "zod";
import type { AgendaService } from "../agenda/service";
import type { AuditService } from "../audit/service";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import * as q from "./queries";

/** A session's survey opens this long before its end (the closing minutes), and stays open afterwards. */
export const FEEDBACK_OPENS_BEFORE_END_MS = 5 * 60_000;

/**
 * Session feedback: a 1–5 rating, an optional comment and the event's extra questions. Anonymous by
 * construction: `session_feedback` has no column that could name a person, device or time, and the
 * receipt that holds one answer per person (`feedback_receipts`) holds no answer.
 */
export class FeedbackService {
  constructor(private readonly deps: { db: Database; clock: Clock; guard: Guard; audit: AuditService; agenda: AgendaService }) {}

  async questions(): Promise<FeedbackQuestion[]> {
    const event = await this.deps.agenda.getEvent();
    return q.listFeedbackQuestions(this.deps.db, event.id);
  }

  async form(actor: Actor | null, slug: string): Promise<FeedbackForm> {
    const session = await this.deps.agenda.requireRow(slug);
    const base = { slug: session.slug, title: session.title, chathamHouse: session.rule === "chatham_house", questions: await this.questions() };
    // Breaks, meals and the like have no survey; anyone else who may not answer is told why (sign in, enter the room code).
    if (nonInteractiveKinds.includes(session.kind)) return { ...base, state: "none" };
    await this.deps.guard.require(actor, "feedback:give", session);
    if (this.deps.clock.now().getTime() < session.endsAt.getTime() - FEEDBACK_OPENS_BEFORE_END_MS) return { ...base, state: "not_yet" };
    if (await q.hasFeedbackReceipt(this.deps.db, session.id, actor!.userId)) return { ...base, state: "answered" };
    return { ...base, state: "open" };
  }

  async submit(actor: Actor | null, slug: string, input: z.output<typeof feedbackSubmitSchema>): Promise<{ ok: true }> {
    const session = await this.deps.agenda.requireRow(slug);
    await this.deps.guard.require(actor, "feedback:give", session, { type: "feedback", id: slug });
    if (this.deps.clock.now().getTime() < session.endsAt.getTime() - FEEDBACK_OPENS_BEFORE_END_MS) {
      throw new AppError("conflict", "This session's feedback opens in its last five minutes. Come back when it ends.");
    }
    const known = new Set((await this.questions()).map((x) => x.id));
    const answers: Record<string, string> = {};
    for (const [id, text] of Object.entries(input.answers)) {
      if (!known.has(id)) throw new AppError("invalid_payload", "An answer is for a question this event does not ask. Reload the page and try again.");
      if (text) answers[id] = text;
    }
    const stored = await q.insertFeedback(
      this.deps.db,
      { sessionId: session.id, userId: actor!.userId },
      { rating: input.rating, comment: input.comment ? input.comment : null, answers },
    );
    if (!stored) throw new AppError("conflict", "You have already given feedback on this session. Thank you!");
    // No audit entry: it would tie a person to the time of an answer.
    return { ok: true };
  }

  async setQuestions(actor: Actor | null, input: z.output<typeof feedbackQuestionsSchema>): Promise<FeedbackQuestion[]> {
    await this.deps.guard.require(actor, "agenda:edit", undefined, { type: "feedback-questions", id: "event" });
    const event = await this.deps.agenda.getEvent();
    await q.replaceFeedbackQuestions(this.deps.db, event.id, input.questions);
    await this.deps.audit.record({
      actor,
      action: "feedback:questions",
      outcome: "ok",
      objectType: "event",
      objectId: event.slug,
      after: { questions: input.questions },
    });
    return this.questions();
  }
}
