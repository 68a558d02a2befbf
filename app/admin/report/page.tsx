import type { Metadata } from "next";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import type { ReportItem } from "@/lib/admin";
import { formatCount, type Count } from "@/lib/polls";
import { formatClock, formatDay } from "@/lib/time";
import { PrintButton } from "@/app/_components/admin/print-button";
import styles from "@/app/_components/admin/report.module.css";

export const metadata: Metadata = { title: "Post-event report" };
export const dynamic = "force-dynamic";

const count = (c: Count | null) => (c === null ? "–" : formatCount(c));

/**
 * The printable post-event report: every programme item with report.csv's numbers (Chatham House
 * sessions as aggregates only, counts below 3 as "fewer than 3"), and links to the CSV exports.
 */
export default async function ReportPage() {
  const actor = await requirePage("report:read", "/admin/report");
  const report = await getApp().reports.report(actor);
  const days = [...new Set(report.items.map((i) => i.day))];
  const tz = report.timeZone;
  const c = report.checkIn;
  return (
    <main id="main" className={styles.report}>
      <h1>Post-event report</h1>
      <p>
        {report.eventName}. Made {formatDay(report.at, tz)}, {formatClock(report.at, tz)} event time.
      </p>
      <div className={`${styles.actions} ${styles.noPrint}`}>
        <PrintButton />
        <nav aria-label="Downloads">
          <ul className={styles.downloads}>
            <li>
              <a href="/api/admin/report.csv">Report (CSV)</a>
            </li>
            <li>
              <a href="/api/admin/attendance.csv">Attendance over time (CSV)</a>
            </li>
            <li>
              <a href="/api/admin/feedback.csv">Feedback (CSV)</a>
            </li>
          </ul>
        </nav>
      </div>

      <section aria-labelledby="registration-heading">
        <h2 id="registration-heading">Registration</h2>
        <dl className={styles.summary}>
          <div>
            <dt>Registered</dt>
            <dd>{c.registered}</dd>
          </div>
          <div>
            <dt>Checked in</dt>
            <dd>{c.checkedIn}</dd>
          </div>
          <div>
            <dt>Checked in, in person</dt>
            <dd>{c.checkedInInPerson}</dd>
          </div>
          <div>
            <dt>Checked in, registered remote</dt>
            <dd>{c.checkedInRemote}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="programme-heading">
        <h2 id="programme-heading">The programme</h2>
        <p className={styles.note}>
          Attendance is the largest number at once (per minute). Sessions under the Chatham House Rule appear only as totals, with any count below 3 shown as
          “fewer than 3”; no person is named anywhere in this report. Questions per session (text, status, votes) are in each session&apos;s questions export.
        </p>
        {days.map((day) => (
          <DayTable key={day} items={report.items.filter((i) => i.day === day)} timeZone={tz} />
        ))}
      </section>
    </main>
  );
}

function DayTable({ items, timeZone }: { items: ReportItem[]; timeZone: string }) {
  const caption = formatDay(items[0].startsAt, timeZone);
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Session</th>
            <th scope="col">Peak in room</th>
            <th scope="col">Peak remote</th>
            <th scope="col">Peak stream</th>
            <th scope="col">Asked</th>
            <th scope="col">Approved</th>
            <th scope="col">Answered</th>
            <th scope="col">Votes</th>
            <th scope="col">Poll answers</th>
            <th scope="col">Feedback (1–5)</th>
            <th scope="col">Feedback answers</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.slug} data-slug={i.slug}>
              <td className={styles.time}>
                {formatClock(i.startsAt, timeZone)}–{formatClock(i.endsAt, timeZone)}
              </td>
              <th scope="row">
                {i.title}
                <span className={styles.rule}>
                  {i.rule === "chatham_house" ? "Chatham House Rule" : "On the record"}
                  {i.qaEnabled ? (
                    <span className={styles.noPrint}>
                      {" · "}
                      <a href={`/api/sessions/${i.slug}/questions.csv`}>questions (CSV)</a>
                    </span>
                  ) : null}
                </span>
              </th>
              <td className={styles.num}>{count(i.peakInRoom)}</td>
              <td className={styles.num}>{count(i.peakRemote)}</td>
              <td className={styles.num}>{count(i.peakStream)}</td>
              <td className={styles.num}>{count(i.asked)}</td>
              <td className={styles.num}>{count(i.approved)}</td>
              <td className={styles.num}>{count(i.answered)}</td>
              <td className={styles.num}>{count(i.votes)}</td>
              <td className={styles.num}>{count(i.pollAnswers)}</td>
              <td className={styles.num}>{i.feedbackAverage ?? "–"}</td>
              <td className={styles.num}>{count(i.feedbackCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
