"use client";
import { useServerClock } from "../use-server-clock";
import { PollResultsChart } from "./poll-results-chart";
import { byRecency, timeLeft } from "./session-polls";
import { usePolls } from "./use-polls";
import "./polls.css";

/** Panelists' view of the polls: every launched poll with its live results, the running ones first. */
export function PanelPolls({ slug, serverNow }: { slug: string; serverNow: string }) {
  const { state } = usePolls(slug);
  const now = useServerClock(serverNow, 1000);
  const entries = byRecency(state.entries);
  const refusal = state.error ? (
    <p className="poll-error" role="status" data-testid="polls-refusal">
      Polls could not be loaded: {state.error}
    </p>
  ) : null;
  if (!state.snapshot) return refusal ?? <p className="muted">Loading polls…</p>;
  if (entries.length === 0) return refusal ?? <p>No polls launched yet.</p>;
  return (
    <>
      {refusal}
      <ul className="poll-list" aria-label="Polls">
        {entries.map(({ poll, results }) => {
          const left = timeLeft(poll, now);
          return (
            <li key={poll.id} className={`poll-card${poll.status === "open" ? " is-open" : ""}`}>
              <h3>{poll.question}</h3>
              <p className="poll-meta">
                <span className={`poll-state${poll.status === "open" ? " poll-state-open" : ""}`}>{poll.status === "open" ? "Open" : "Closed"}</span>
                {left ? <span>Closes in {left}</span> : null}
              </p>
              {results ? <PollResultsChart poll={poll} results={results} /> : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}
