"use client";
import { exactCount, formatCount, type PollResults, type PollView } from "@/lib/polls";
import "./polls.css";

interface Props {
  poll: PollView;
  results: PollResults;
  /** "large" for the room's screen: read from the back of the room. */
  size?: "normal" | "large";
}

function respondentsText(results: PollResults): string {
  const c = results.respondents;
  if (typeof c === "number") return c === 1 ? "1 answer" : `${c} answers`;
  return `${formatCount(c)} answers`;
}

/**
 * Results as bars (or a word cloud) with their text alternative built in: every bar's label, count
 * and share are text beside it, so screen readers and the back row read the same numbers. Bars are
 * drawn only for exact counts; hidden counts (Chatham House Rule) show as text, with no bar.
 */
export function PollResultsChart({ poll, results, size = "normal" }: Props) {
  const exact = results.rows.map((r) => exactCount(r.count) ?? 0);
  const max = Math.max(1, ...exact);
  const label = `Results: ${poll.question}`;
  return (
    <figure className={`poll-chart poll-chart-${size}`} aria-label={label} data-testid="poll-results">
      {poll.kind === "word_cloud" ? (
        <WordCloud results={results} max={max} />
      ) : (
        <ol className="poll-bars">
          {results.rows.map((row) => {
            const n = exactCount(row.count);
            return (
              <li key={row.key} className="poll-bar-row">
                <span className="poll-bar-label">{row.label}</span>
                <span className="poll-bar-track" aria-hidden="true">
                  {n !== null ? <span className="poll-bar-fill" style={{ width: `${(n / max) * 100}%` }} /> : <span className="poll-bar-hidden" />}
                </span>
                <span className="poll-bar-value">
                  {formatCount(row.count)}
                  {row.percent !== null ? <span className="poll-bar-percent"> · {row.percent}%</span> : null}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      <figcaption className="poll-chart-caption">
        {respondentsText(results)}
        {results.mean !== null ? ` · average ${results.mean} of ${poll.scaleMax}` : ""}
        {results.suppressed ? (
          <span className="poll-chart-note">
            {" "}
            Chatham House Rule: counts below 3 are shown as “fewer than 3”{poll.kind === "word_cloud" ? ", and rarer words are not shown" : ""}.
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}

function WordCloud({ results, max }: { results: PollResults; max: number }) {
  if (results.rows.length === 0 && results.otherAnswers === null) return <p className="muted">No words yet.</p>;
  return (
    <>
      <ul className="poll-cloud">
        {results.rows.map((row) => {
          const n = exactCount(row.count) ?? 0;
          // Font size grows with the count (1× to 3×), the count itself is always there as text.
          const scale = 1 + (2 * n) / max;
          return (
            <li key={row.key} style={{ fontSize: `${scale}em` }}>
              {row.label} <span className="poll-cloud-count">({formatCount(row.count)})</span>
            </li>
          );
        })}
      </ul>
      {results.otherAnswers !== null && (typeof results.otherAnswers !== "number" || results.otherAnswers > 0) ? (
        <p className="poll-cloud-other">Other answers: {formatCount(results.otherAnswers)}</p>
      ) : null}
    </>
  );
}
