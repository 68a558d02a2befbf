/** The organizer's live dashboard (/admin): what the server sends, shared by the server and the page. */
import type { Count } from "./polls";

/** Where a session is in its day, as the server's clock has it. */
export type SessionPhase = "upcoming" | "live" | "ended";

export interface DashboardAttendance {
  /** Now: distinct people on this session's page in the room (room devices, in-person participants) and remote (signed-in). */
  inRoom: number;
  remote: number;
  /** LiveKit viewers now (streamed sessions). */
  stream: number;
  /** The largest each has been. */
  peakInRoom: number;
  peakRemote: number;
  peakStream: number;
}

export interface DashboardSession {
  slug: string;
  title: string;
  day: string;
  startsAt: string;
  endsAt: string;
  rule: "chatham_house" | "on_record";
  kind: string;
  phase: SessionPhase;
  qaEnabled: boolean;
  /** Q&A takes questions now: enabled, open, intake not paused, session not over. */
  qaOpen: boolean;
  pollsEnabled: boolean;
  streamed: boolean;
  onAir: boolean;
  recording: boolean;
  /** The caption feed's state (server/captions): null when the session never had a feed, "idle" before its first caption, "stalled" after 30 s without one. */
  captions: "live" | "idle" | "stalled" | null;
  attendance: DashboardAttendance;
  /** Under the Chatham House Rule counts below 3 are "fewer than 3" (lib/polls hideSmallCount). */
  questions: { asked: Count; approved: Count; answered: Count; dismissed: Count };
  votes: Count;
  pollAnswers: Count;
  feedback: { count: Count; average: number | null };
  /** Attendance over time: bucket start (ISO) and peaks in it. */
  series: Array<{ at: string; inRoom: number; remote: number; stream: number }>;
}

export interface DashboardSnapshot {
  at: string;
  eventName: string;
  timeZone: string;
  /** The event-local day the "today" list shows (the programme's first day before it starts, its last after). */
  today: string;
  totals: {
    inRoom: number;
    remote: number;
    stream: number;
    /** Sums of each session's exact counts; Chatham House sessions' counts below 3 are left out, so these are at least. */
    questionsAsked: number;
    questionsAnswered: number;
    votes: number;
    pollAnswers: number;
  };
  sessions: DashboardSession[];
  /** The registration desk (server/checkin): numbers only. */
  checkIn: { registered: number; checkedIn: number };
}

// ── Post-event report (/admin/report, report.csv) ─────────────────────────────────────────────────

/** One programme item in the post-event report: what report.csv has, Chatham House counts below 3 as bounds. */
export interface ReportItem {
  day: string;
  /** ISO with the event's offset. */
  startsAt: string;
  endsAt: string;
  title: string;
  slug: string;
  kind: string;
  rule: "chatham_house" | "on_record";
  qaEnabled: boolean;
  streamed: boolean;
  peakInRoom: Count;
  peakRemote: Count;
  /** Null for sessions that are not streamed. */
  peakStream: Count | null;
  asked: Count;
  approved: Count;
  answered: Count;
  votes: Count;
  pollAnswers: Count;
  feedbackAverage: number | null;
  feedbackCount: Count;
}

export interface EventReport {
  eventName: string;
  timeZone: string;
  /** When it was made (ISO). */
  at: string;
  items: ReportItem[];
  /** The registration desk: numbers only. */
  checkIn: { registered: number; checkedIn: number; checkedInInPerson: number; checkedInRemote: number };
}

// ── Session feedback ────────────────────────────────────────────────────────────────────────────

export const FEEDBACK_LIMITS = { comment: 1000, answer: 500, question: 200, questions: 3 } as const;

export interface FeedbackQuestion {
  id: string;
  text: string;
}

/** What a session's survey page needs: whether it is open to this person, and the event's extra questions. */
export interface FeedbackForm {
  slug: string;
  title: string;
  chathamHouse: boolean;
  /** "open": may answer now; "not_yet": the session has not ended; "answered": this person already did; "none": no survey for this kind of item. */
  state: "open" | "not_yet" | "answered" | "none";
  questions: FeedbackQuestion[];
}
