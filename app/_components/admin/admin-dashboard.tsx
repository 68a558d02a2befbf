"use client";
import { useState } from "react";
import type { DashboardSnapshot } from "@/lib/admin";
import { formatClock, formatDay } from "@/lib/time";
import { AttendanceOverTime, QuestionsPerSession, RoomRemoteShare } from "./dashboard-charts";
import { SessionGlance } from "./session-glance";
import { useDashboard } from "./use-dashboard";
import styles from "./dashboard.module.css";

/** The organizer's console at a glance: the whole event now, today's sessions with their live status, charts and exports. */
export function AdminDashboard({ initial }: { initial: DashboardSnapshot }) {
  const { snapshot, connected, error } = useDashboard(initial);
  const days = [...new Set(snapshot.sessions.map((s) => s.day))];
  const [day, setDay] = useState(snapshot.today);
  const sessions = snapshot.sessions.filter((s) => s.day === day);
  const interactive = sessions.filter((s) => s.qaEnabled || s.pollsEnabled || s.streamed);
  const live = sessions.find((s) => s.phase === "live" && (s.qaEnabled || s.streamed));
  const [chosen, setChosen] = useState<string | null>(null);
  const chartSession = sessions.find((s) => s.slug === chosen) ?? live ?? interactive[0] ?? sessions[0];
  const t = snapshot.totals;
  const firstOf = (d: string) => snapshot.sessions.find((s) => s.day === d)!.startsAt;

  return (
    <div className={styles.dashboard}>
      <p className={styles.updated} role="status" aria-live="polite">
        {error ? <span className="error">{error}</span> : null}
        {connected ? "Live" : "Reconnecting…"} · updated {formatClock(snapshot.at, snapshot.timeZone)} event time
      </p>

      <section aria-labelledby="now-heading">
        <h2 id="now-heading">The whole event now</h2>
        <dl className={styles.totals}>
          <div>
            <dt>Checked in</dt>
            <dd data-testid="total-checked-in">
              {snapshot.checkIn.checkedIn} <span className={styles.of}>of {snapshot.checkIn.registered}</span>
            </dd>
          </div>
          <div>
            <dt>In the room</dt>
            <dd data-testid="total-in-room">{t.inRoom}</dd>
          </div>
          <div>
            <dt>Remote</dt>
            <dd data-testid="total-remote">{t.remote}</dd>
          </div>
          <div>
            <dt>Stream viewers</dt>
            <dd>{t.stream}</dd>
          </div>
          <div>
            <dt>Questions asked</dt>
            <dd>{t.questionsAsked}</dd>
          </div>
          <div>
            <dt>Questions answered</dt>
            <dd>{t.questionsAnswered}</dd>
          </div>
          <div>
            <dt>Votes</dt>
            <dd>{t.votes}</dd>
          </div>
          <div>
            <dt>Poll answers</dt>
            <dd>{t.pollAnswers}</dd>
          </div>
        </dl>
        <p className={styles.note}>
          People are counted once per session, wherever they have it open; staff and room screens are not counted. Question and poll totals leave out Chatham
          House counts below 3.
        </p>
      </section>

      <section aria-labelledby="glance-heading">
        <div className={styles.sectionHead}>
          <h2 id="glance-heading">{day === snapshot.today ? "Today's sessions" : "Sessions"} at a glance</h2>
          <label className={styles.picker}>
            Day{" "}
            <select value={day} onChange={(e) => setDay(e.target.value)}>
              {days.map((d) => (
                <option key={d} value={d}>
                  {formatDay(firstOf(d), snapshot.timeZone)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <SessionGlance sessions={sessions} timeZone={snapshot.timeZone} />
      </section>

      <section aria-labelledby="charts-heading">
        <div className={styles.sectionHead}>
          <h2 id="charts-heading">Charts</h2>
          <label className={styles.picker}>
            Attendance of{" "}
            <select value={chartSession?.slug ?? ""} onChange={(e) => setChosen(e.target.value)}>
              {sessions.map((s) => (
                <option key={s.slug} value={s.slug}>
                  {formatClock(s.startsAt, snapshot.timeZone)} {s.title}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className={styles.charts}>
          <AttendanceOverTime session={chartSession} timeZone={snapshot.timeZone} />
          <RoomRemoteShare sessions={interactive} />
          <QuestionsPerSession sessions={sessions} />
        </div>
      </section>

      <section aria-labelledby="exports-heading">
        <h2 id="exports-heading">Reports and exports</h2>
        <p className={styles.note}>Spreadsheet files (CSV). Chatham House sessions appear only as totals, with any count below 3 shown as “fewer than 3”.</p>
        <ul className={styles.exports}>
          <li>
            <a href="/api/admin/report.csv" download>
              Event report: one row per programme item
            </a>
          </li>
          <li>
            <a href="/api/admin/attendance.csv" download>
              Attendance over time
            </a>
          </li>
          <li>
            <a href="/api/admin/feedback.csv" download>
              Session feedback
            </a>
          </li>
        </ul>
      </section>
    </div>
  );
}
