import { asc } from "drizzle-orm";
import type { Database } from "../../db/client";
import { sessions, type SessionRow } from "../../db/schema";
import type { DashboardSession, DashboardSnapshot, EventReport, ReportItem, SessionPhase } from "../../lib/admin";
import { formatCount, hideSmallCount, type Count } from "../../lib/polls";
import { dayInZone, isoInZone } from "../../lib/time";
import type { AgendaService } from "../agenda/service";
import type { AuditService } from "../audit/service";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { Clock } from "../clock";
import { csvDocument } from "../polls/csv";
import * as q from "./queries";
import { counts as checkInCounts } from "../checkin/queries";

/** How long an instance's last attendance write counts as "now" (a few heartbeats). */
export const FRESH_MS = 45_000;

type Cell = string | number | null;

/**
 * The organizer's numbers: the live dashboard and the post-event exports. Every count of a Chatham
 * House session goes through `shown()` (lib/polls hideSmallCount, the rule polls use), and no row or
 * file of such a session carries a name, e-mail, affiliation, device name or a per-question time.
 */
export class ReportService {
  constructor(
    private readonly deps: {
      db: Database;
      clock: Clock;
      guard: Guard;
      audit: AuditService;
      agenda: AgendaService;
      freshMs?: number;
    },
  ) {}

  private get db() {
    return this.deps.db;
  }

  private async sessionRows(): Promise<SessionRow[]> {
    return this.db.select().from(sessions).orderBy(asc(sessions.startsAt), asc(sessions.slug));
  }

  // ── Live dashboard ────────────────────────────────────────────────────────────────────────────

  async dashboard(actor: Actor | null): Promise<DashboardSnapshot> {
    await this.deps.guard.require(actor, "admin:view");
    const now = this.deps.clock.now();
    const event = await this.deps.agenda.getEvent();
    const rows = await this.sessionRows();
    const [questions, pollTotals, live, series, state, feedback, desk] = await Promise.all([
      q.questionTotals(this.db),
      q.pollTotals(this.db),
      q.liveCounts(this.db, new Date(now.getTime() - (this.deps.freshMs ?? FRESH_MS))),
      q.attendanceSeries(this.db),
      q.liveState(this.db),
      q.feedbackTotals(this.db),
      checkInCounts(this.db),
    ]);
    const totals = { inRoom: 0, remote: 0, stream: 0, questionsAsked: 0, questionsAnswered: 0, votes: 0, pollAnswers: 0 };
    const add = (c: Count) => (typeof c === "number" ? c : 0);
    const out: DashboardSession[] = rows.map((row) => {
      const chatham = row.rule === "chatham_house";
      const shown = (n: number): Count => (chatham ? hideSmallCount(n) : n);
      const phase = phaseOf(row, now);
      const t = q.totalsOf(questions, row.id);
      const points = series.get(row.id) ?? [];
      const peaks = q.peaksOf(points);
      const liveNow = phase === "ended" ? undefined : live.get(row.id);
      const attendance = {
        inRoom: liveNow?.inRoom ?? 0,
        remote: liveNow?.remote ?? 0,
        stream: liveNow?.stream ?? 0,
        peakInRoom: peaks.inRoom,
        peakRemote: peaks.remote,
        peakStream: peaks.stream,
      };
      const fb = feedback.get(row.id) ?? { count: 0, sum: 0 };
      const session: DashboardSession = {
        slug: row.slug,
        title: row.title,
        day: row.day,
        startsAt: isoInZone(row.startsAt, event.timeZone),
        endsAt: isoInZone(row.endsAt, event.timeZone),
        rule: row.rule,
        kind: row.kind,
        phase,
        qaEnabled: row.qaEnabled,
        qaOpen: row.qaEnabled && row.qaOpen && !state.intakePaused.has(row.id) && phase !== "ended",
        pollsEnabled: row.pollsEnabled,
        streamed: row.streamed,
        onAir: state.streamState.get(row.id) === "live",
        recording: state.recording.has(row.id),
        captions: state.captions.get(row.id) ?? null,
        attendance,
        questions: { asked: shown(t.asked), approved: shown(t.approved), answered: shown(t.answered), dismissed: shown(t.dismissed) },
        votes: shown(t.votes),
        pollAnswers: shown(pollTotals.get(row.id)?.answers ?? 0),
        feedback: feedbackShown(fb, chatham),
        series: points.map((p) => ({ at: p.at.toISOString(), inRoom: p.inRoom, remote: p.remote, stream: p.stream })),
      };
      totals.inRoom += attendance.inRoom;
      totals.remote += attendance.remote;
      totals.stream += attendance.stream;
      totals.questionsAsked += add(session.questions.asked);
      totals.questionsAnswered += add(session.questions.answered);
      totals.votes += add(session.votes);
      totals.pollAnswers += add(session.pollAnswers);
      return session;
    });
    const days = [...new Set(rows.map((r) => r.day))].sort();
    const localDay = dayInZone(now, event.timeZone);
    const today = days.includes(localDay) ? localDay : localDay < (days[0] ?? "") ? days[0] : (days.at(-1) ?? localDay);
    return {
      at: now.toISOString(),
      eventName: event.name,
      timeZone: event.timeZone,
      today,
      totals,
      sessions: out,
      checkIn: { registered: desk.registered, checkedIn: desk.checkedIn },
    };
  }

  // ── Exports ───────────────────────────────────────────────────────────────────────────────────

  /** One row per programme item: rule, attendance peaks, questions, votes, polls, feedback. */
  async reportCsv(actor: Actor | null): Promise<string> {
    await this.deps.guard.require(actor, "report:read", undefined, { type: "report", id: "report.csv" });
    const records: Cell[][] = [REPORT_HEADER];
    for (const item of await this.reportItems()) {
      const cell = (c: Count): Cell => (typeof c === "number" ? c : formatCount(c));
      records.push([
        item.day,
        item.startsAt,
        item.endsAt,
        item.title,
        item.slug,
        item.kind,
        ruleLabel(item.rule),
        cell(item.peakInRoom),
        cell(item.peakRemote),
        item.peakStream === null ? null : cell(item.peakStream),
        cell(item.asked),
        cell(item.approved),
        cell(item.answered),
        cell(item.votes),
        cell(item.pollAnswers),
        item.feedbackAverage,
        formatCount(item.feedbackCount),
      ]);
    }
    await this.audited(actor, "report:export", "report.csv");
    return csvDocument(records);
  }

  /** The printable post-event report (/admin/report): the same numbers as report.csv, and the desk's. */
  async report(actor: Actor | null): Promise<EventReport> {
    await this.deps.guard.require(actor, "report:read", undefined, { type: "report", id: "report" });
    const event = await this.deps.agenda.getEvent();
    const [items, desk] = await Promise.all([this.reportItems(), checkInCounts(this.db)]);
    await this.audited(actor, "report:view", "report");
    return {
      eventName: event.name,
      timeZone: event.timeZone,
      at: this.deps.clock.now().toISOString(),
      items,
      checkIn: { registered: desk.registered, checkedIn: desk.checkedIn, checkedInInPerson: desk.checkedInInPerson, checkedInRemote: desk.checkedInRemote },
    };
  }

  /** Every programme item's numbers; every count of a Chatham House session through `hideSmallCount`. */
  private async reportItems(): Promise<ReportItem[]> {
    const event = await this.deps.agenda.getEvent();
    const rows = await this.sessionRows();
    const [questions, pollTotals, series, feedback] = await Promise.all([
      q.questionTotals(this.db),
      q.pollTotals(this.db),
      q.attendanceSeries(this.db),
      q.feedbackTotals(this.db),
    ]);
    return rows.map((row) => {
      const chatham = row.rule === "chatham_house";
      const shown = (n: number): Count => (chatham ? hideSmallCount(n) : n);
      const t = q.totalsOf(questions, row.id);
      const peaks = q.peaksOf(series.get(row.id));
      const fb = feedbackShown(feedback.get(row.id) ?? { count: 0, sum: 0 }, chatham);
      return {
        day: row.day,
        startsAt: isoInZone(row.startsAt, event.timeZone),
        endsAt: isoInZone(row.endsAt, event.timeZone),
        title: row.title,
        slug: row.slug,
        kind: row.kind,
        rule: row.rule,
        qaEnabled: row.qaEnabled,
        streamed: row.streamed,
        peakInRoom: shown(peaks.inRoom),
        peakRemote: shown(peaks.remote),
        peakStream: row.streamed ? shown(peaks.stream) : null,
        asked: shown(t.asked),
        approved: shown(t.approved),
        answered: shown(t.answered),
        votes: shown(t.votes),
        pollAnswers: shown(pollTotals.get(row.id)?.answers ?? 0),
        feedbackAverage: fb.average,
        feedbackCount: fb.count,
      };
    });
  }

  /** Attendance over time: one row per session and time bucket (peaks in it). */
  async attendanceCsv(actor: Actor | null): Promise<string> {
    await this.deps.guard.require(actor, "report:read", undefined, { type: "report", id: "attendance.csv" });
    const event = await this.deps.agenda.getEvent();
    const rows = await this.sessionRows();
    const series = await q.attendanceSeries(this.db);
    const records: Cell[][] = [ATTENDANCE_HEADER];
    for (const row of rows) {
      const chatham = row.rule === "chatham_house";
      const cell = (n: number): Cell => (chatham ? formatCount(hideSmallCount(n)) : n);
      for (const p of series.get(row.id) ?? []) {
        records.push([
          row.slug,
          row.title,
          ruleLabel(row.rule),
          isoInZone(p.at, event.timeZone),
          cell(p.inRoom),
          cell(p.remote),
          row.streamed ? cell(p.stream) : null,
        ]);
      }
    }
    await this.audited(actor, "report:export", "attendance.csv");
    return csvDocument(records);
  }

  /**
   * A session's questions. On the record: one row per question, the asker named only where they chose
   * to be (the name and affiliation are stored only then). Under the Chatham House Rule: totals only.
   */
  async questionsCsv(actor: Actor | null, slug: string): Promise<string> {
    const session = await this.deps.agenda.requireRow(slug);
    await this.deps.guard.require(actor, "questions:export", session, { type: "questions-export", id: slug });
    const event = await this.deps.agenda.getEvent();
    const list = await q.sessionQuestions(this.db, session.id);
    let records: Cell[][];
    if (session.rule === "chatham_house") {
      const t = q.totalsOf(await q.questionTotals(this.db), session.id);
      const c = (n: number) => formatCount(hideSmallCount(n));
      records = [
        ["Measure", "Value"],
        ["Session", session.title],
        ["Rule", ruleLabel(session.rule)],
        ["Note", 'Held under the Chatham House Rule: totals only, and any count below 3 is shown as "fewer than 3".'],
        ["Questions asked", c(t.asked)],
        ["Questions approved", c(t.approved)],
        ["Questions answered", c(t.answered)],
        ["Questions dismissed", c(t.dismissed)],
        ["Votes", c(t.votes)],
      ];
    } else {
      records = [QUESTIONS_HEADER];
      for (const row of list) {
        const named = !row.chatham && !row.anonymous;
        records.push([
          row.text,
          row.status,
          row.voteCount,
          isoInZone(row.createdAt, event.timeZone),
          row.answeredAt ? isoInZone(row.answeredAt, event.timeZone) : null,
          row.origin,
          named ? row.authorName : null,
          named ? row.authorAffiliation : null,
        ]);
      }
    }
    await this.audited(actor, "questions:export", slug, session);
    return csvDocument(records);
  }

  /** Feedback per session: answers count and average; comments only for on-the-record sessions. */
  async feedbackCsv(actor: Actor | null): Promise<string> {
    await this.deps.guard.require(actor, "report:read", undefined, { type: "report", id: "feedback.csv" });
    const rows = await this.sessionRows();
    const feedback = await q.feedbackTotals(this.db);
    const records: Cell[][] = [["Session", "Slug", "Rule", "Answers", "Average rating (1-5)"]];
    for (const row of rows) {
      const fb = feedbackShown(feedback.get(row.id) ?? { count: 0, sum: 0 }, row.rule === "chatham_house");
      records.push([row.title, row.slug, ruleLabel(row.rule), formatCount(fb.count), fb.average]);
    }
    // Comments and extra answers only on the record: under the Chatham House Rule words can identify
    // their author, so those sessions appear as totals above and nowhere else.
    const onRecord = rows.filter((r) => r.rule === "on_record");
    const questions = await q.listFeedbackQuestions(this.db, (await this.deps.agenda.getEvent()).id);
    const comments = await q.feedbackComments(
      this.db,
      onRecord.map((r) => r.id),
    );
    records.push([], ["Session", "Rating", "Comment", ...questions.map((x) => x.text)]);
    const slugOf = new Map(onRecord.map((r) => [r.id, r.title]));
    for (const c of comments) {
      if (!c.comment && Object.keys(c.answers).length === 0) continue;
      records.push([slugOf.get(c.sessionId) ?? "", c.rating, c.comment, ...questions.map((x) => c.answers[x.id] ?? null)]);
    }
    await this.audited(actor, "report:export", "feedback.csv");
    return csvDocument(records);
  }

  private async audited(actor: Actor | null, action: string, objectId: string, session?: SessionRow): Promise<void> {
    await this.deps.audit.record({
      actor,
      action,
      outcome: "ok",
      objectType: session ? "session" : "report",
      objectId,
      session: session ? { id: session.id, rule: session.rule } : undefined,
    });
  }
}

export const REPORT_HEADER = [
  "Day",
  "Starts",
  "Ends",
  "Session",
  "Slug",
  "Kind",
  "Rule",
  "Peak in room",
  "Peak remote",
  "Peak stream viewers",
  "Questions asked",
  "Questions approved",
  "Questions answered",
  "Votes",
  "Poll answers",
  "Feedback average (1-5)",
  "Feedback answers",
];

export const QUESTIONS_HEADER = ["Question", "Status", "Votes", "Asked at", "Answered at", "Origin", "Asker", "Asker affiliation"];

export const ATTENDANCE_HEADER = ["Slug", "Session", "Rule", "Time", "In room", "Remote", "Stream viewers"];

function ruleLabel(rule: SessionRow["rule"]): string {
  return rule === "chatham_house" ? "Chatham House Rule" : "On the record";
}

export function phaseOf(row: Pick<SessionRow, "startsAt" | "endsAt">, now: Date): SessionPhase {
  if (now < row.startsAt) return "upcoming";
  return now < row.endsAt ? "live" : "ended";
}

/** A Chatham House session's feedback average is given only when 3 or more answered, like any count. */
function feedbackShown(fb: { count: number; sum: number }, chatham: boolean): { count: Count; average: number | null } {
  const count = chatham ? hideSmallCount(fb.count) : fb.count;
  const average = fb.count > 0 && typeof count === "number" ? Math.round((fb.sum / fb.count) * 100) / 100 : null;
  return { count, average };
}
