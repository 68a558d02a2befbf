"use client";
import { useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DashboardSession } from "@/lib/admin";
import { exactCount, formatCount } from "@/lib/polls";
import { formatClock } from "@/lib/time";
import styles from "./dashboard.module.css";

// Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by more than hue: lines are dashed differently.
const ROOM = "#0b4f8a";
const REMOTE = "#a3001b";
const STREAM = "#00583b";

/** A chart is drawn for sighted readers; the same numbers are in a table for everyone (`<details>`). */
function ChartFigure({ title, children, table }: { title: string; children: React.ReactNode; table: React.ReactNode }) {
  return (
    <figure className={styles.figure}>
      <figcaption className={styles.figcaption}>{title}</figcaption>
      <div className={styles.chart} aria-hidden="true">
        {children}
      </div>
      <details className={styles.tableDetails}>
        <summary>{title}: as a table</summary>
        {table}
      </details>
    </figure>
  );
}

/** Recharts measures the page: it is drawn only once the browser has it (the server renders the tables). */
function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

/** One bar per session, sessions down the side; `bars` name the series (stacked when `stacked`). */
function SessionBars({
  data,
  bars,
  stacked = false,
}: {
  data: Array<Record<string, string | number | null>>;
  bars: Array<{ key: string; name: string; fill: string }>;
  stacked?: boolean;
}) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(160, data.length * 34)}>
      <BarChart accessibilityLayer={false} data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" allowDecimals={false} />
        <YAxis type="category" dataKey="name" width={180} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend />
        {bars.map((b) => (
          <Bar key={b.key} dataKey={b.key} name={b.name} fill={b.fill} stackId={stacked ? "a" : undefined} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

export function AttendanceOverTime({ session, timeZone }: { session: DashboardSession | undefined; timeZone: string }) {
  const mounted = useMounted();
  const data = (session?.series ?? []).map((p) => ({ ...p, time: formatClock(p.at, timeZone) }));
  const title = `Attendance over time${session ? `: ${session.title}` : ""}`;
  return (
    <ChartFigure
      title={title}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">In the room</th>
              <th scope="col">Remote</th>
              <th scope="col">Stream viewers</th>
            </tr>
          </thead>
          <tbody>
            {data.length === 0 ? (
              <tr>
                <td colSpan={4}>Nobody has been counted yet.</td>
              </tr>
            ) : (
              data.map((p) => (
                <tr key={p.at}>
                  <th scope="row">{p.time}</th>
                  <td>{p.inRoom}</td>
                  <td>{p.remote}</td>
                  <td>{p.stream}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      }
    >
      {mounted && data.length > 0 ? (
        <ResponsiveContainer width="100%" height={240}>
          <LineChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="time" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Line type="stepAfter" dataKey="inRoom" name="In the room" stroke={ROOM} strokeWidth={2} dot={false} isAnimationActive={false} />
            <Line type="stepAfter" dataKey="remote" name="Remote" stroke={REMOTE} strokeWidth={2} strokeDasharray="6 3" dot={false} isAnimationActive={false} />
            {session?.streamed ? (
              <Line
                type="stepAfter"
                dataKey="stream"
                name="Stream viewers"
                stroke={STREAM}
                strokeWidth={2}
                strokeDasharray="2 2"
                dot={false}
                isAnimationActive={false}
              />
            ) : null}
          </LineChart>
        </ResponsiveContainer>
      ) : (
        <p className={styles.empty}>{data.length === 0 ? "Nobody has been counted yet." : ""}</p>
      )}
    </ChartFigure>
  );
}

export function RoomRemoteShare({ sessions }: { sessions: DashboardSession[] }) {
  const mounted = useMounted();
  const data = sessions.map((s) => ({ name: s.title, inRoom: s.attendance.peakInRoom, remote: s.attendance.peakRemote + s.attendance.peakStream }));
  const share = (a: number, b: number) => (a + b === 0 ? "—" : `${Math.round((a / (a + b)) * 100)}%`);
  return (
    <ChartFigure
      title="In the room and remote (peaks)"
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">Session</th>
              <th scope="col">Peak in the room</th>
              <th scope="col">Peak remote and stream</th>
              <th scope="col">Share in the room</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.name}>
                <th scope="row">{d.name}</th>
                <td>{d.inRoom}</td>
                <td>{d.remote}</td>
                <td>{share(d.inRoom, d.remote)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      {mounted ? (
        <SessionBars
          data={data}
          stacked
          bars={[
            { key: "inRoom", name: "In the room", fill: ROOM },
            { key: "remote", name: "Remote and stream", fill: REMOTE },
          ]}
        />
      ) : null}
    </ChartFigure>
  );
}

export function QuestionsPerSession({ sessions }: { sessions: DashboardSession[] }) {
  const mounted = useMounted();
  const withQa = sessions.filter((s) => s.qaEnabled);
  // Counts hidden under the Chatham House Rule ("fewer than 3") draw no bar, as in poll results.
  const data = withQa.map((s) => ({ name: s.title, asked: exactCount(s.questions.asked), answered: exactCount(s.questions.answered) }));
  return (
    <ChartFigure
      title="Questions per session"
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">Session</th>
              <th scope="col">Asked</th>
              <th scope="col">Approved</th>
              <th scope="col">Answered</th>
              <th scope="col">Dismissed</th>
            </tr>
          </thead>
          <tbody>
            {withQa.map((s) => (
              <tr key={s.slug}>
                <th scope="row">{s.title}</th>
                <td>{formatCount(s.questions.asked)}</td>
                <td>{formatCount(s.questions.approved)}</td>
                <td>{formatCount(s.questions.answered)}</td>
                <td>{formatCount(s.questions.dismissed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      {mounted && withQa.length > 0 ? (
        <SessionBars
          data={data}
          bars={[
            { key: "asked", name: "Asked", fill: ROOM },
            { key: "answered", name: "Answered", fill: STREAM },
          ]}
        />
      ) : (
        <p className={styles.empty}>{withQa.length === 0 ? "No session today has Q&A." : ""}</p>
      )}
    </ChartFigure>
  );
}
