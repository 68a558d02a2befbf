"use client";
import type { DashboardSession } from "@/lib/admin";
import { formatCount } from "@/lib/polls";
import { formatClock } from "@/lib/time";
import styles from "./dashboard.module.css";

/** The live status words of one session: what an organizer scans for across the room. */
export function statusChips(s: DashboardSession): Array<{ label: string; tone: "live" | "on" | "rec" | "muted" }> {
  const chips: Array<{ label: string; tone: "live" | "on" | "rec" | "muted" }> = [];
  if (s.phase === "live") chips.push({ label: "Live now", tone: "live" });
  else chips.push({ label: s.phase === "upcoming" ? "Upcoming" : "Ended", tone: "muted" });
  if (s.qaOpen) chips.push({ label: "Q&A open", tone: "on" });
  if (s.onAir) chips.push({ label: "On air", tone: "live" });
  if (s.recording) chips.push({ label: "Recording", tone: "rec" });
  if (s.captions === "live") chips.push({ label: "Captions on", tone: "on" });
  if (s.captions === "stalled") chips.push({ label: "Captions stalled", tone: "rec" });
  return chips;
}

/** Today's sessions, each with its live status and numbers: the console at a glance. */
export function SessionGlance({ sessions, timeZone }: { sessions: DashboardSession[]; timeZone: string }) {
  return (
    <ol className={styles.glance} aria-label="Today's sessions">
      {sessions.map((s) => (
        <li key={s.slug} className={`${styles.card} ${s.phase === "live" ? styles.cardLive : ""}`} data-slug={s.slug} data-phase={s.phase}>
          <div className={styles.cardHead}>
            <span className={styles.when}>
              {formatClock(s.startsAt, timeZone)}–{formatClock(s.endsAt, timeZone)}
            </span>
            <a href={`/admin/sessions/${s.slug}`} className={styles.cardTitle}>
              {s.title}
            </a>
          </div>
          <ul className={styles.chips} aria-label="Status">
            {statusChips(s).map((c) => (
              <li key={c.label} className={styles[`chip_${c.tone}`]}>
                {c.label}
              </li>
            ))}
          </ul>
          <dl className={styles.numbers}>
            <div>
              <dt>In the room</dt>
              <dd data-testid={`in-room-${s.slug}`}>{s.attendance.inRoom}</dd>
            </div>
            <div>
              <dt>Remote</dt>
              <dd data-testid={`remote-${s.slug}`}>{s.attendance.remote}</dd>
            </div>
            {s.streamed ? (
              <div>
                <dt>Stream viewers</dt>
                <dd>{s.attendance.stream}</dd>
              </div>
            ) : null}
            <div>
              <dt>Peak</dt>
              <dd>
                {s.attendance.peakInRoom} room · {s.attendance.peakRemote} remote{s.streamed ? ` · ${s.attendance.peakStream} stream` : ""}
              </dd>
            </div>
            {s.qaEnabled ? (
              <div>
                <dt>Questions</dt>
                <dd>
                  {formatCount(s.questions.asked)} asked · {formatCount(s.questions.approved)} approved · {formatCount(s.questions.answered)} answered ·{" "}
                  {formatCount(s.questions.dismissed)} dismissed · {formatCount(s.votes)} votes
                </dd>
              </div>
            ) : null}
            {s.pollsEnabled ? (
              <div>
                <dt>Poll answers</dt>
                <dd>{formatCount(s.pollAnswers)}</dd>
              </div>
            ) : null}
            {s.phase === "ended" && s.kind !== "break" ? (
              <div>
                <dt>Feedback</dt>
                <dd>
                  {formatCount(s.feedback.count)} answers{s.feedback.average !== null ? ` · average ${s.feedback.average} of 5` : ""}
                </dd>
              </div>
            ) : null}
            {s.streamed ? (
              <div>
                <dt>Captions</dt>
                <dd>
                  {s.captions === null
                    ? "Not set up"
                    : s.captions === "live"
                      ? "Live"
                      : s.captions === "stalled"
                        ? "Stalled (no caption for 30 s)"
                        : "Waiting for the first caption"}
                </dd>
              </div>
            ) : null}
          </dl>
          {s.qaEnabled ? (
            <a className={styles.export} href={`/api/sessions/${s.slug}/questions.csv`} download>
              Questions (CSV)<span className="visually-hidden"> for {s.title}</span>
            </a>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
