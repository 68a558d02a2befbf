"use client";
import { useServerClock } from "../use-server-clock";
import { PollResultsChart } from "./poll-results-chart";
import { timeLeft } from "./session-polls";
import { currentPoll, usePolls } from "./use-polls";
import "./polls.css";

/**
 * The room screen's poll: the poll running now (or the one that just closed) as a large chart,
 * readable from the back of the room. The numbers are text beside the bars, which is also the
 * chart's text alternative. The room screen sees live results, like panelists.
 */
export function ScreenPolls({ slug, serverNow }: { slug: string; serverNow: string }) {
  const { state } = usePolls(slug);
  const now = useServerClock(serverNow, 1000);
  const entry = currentPoll(state.entries);
  if (!state.snapshot) return <p className="screen-waiting">Connecting…</p>;
  if (!entry) return <p className="screen-waiting">No poll running. Results appear here when a moderator launches one.</p>;
  const { poll, results } = entry;
  const left = timeLeft(poll, now);
  return (
    <section className="screen-polls" aria-labelledby="screen-poll-question" aria-live="polite">
      <h2 id="screen-poll-question" className="screen-question">
        {poll.question}
      </h2>
      <p className="screen-status">
        {poll.status === "open" ? "Poll open — answer on your phone" : "Poll closed"}
        {left ? ` · closes in ${left}` : ""}
      </p>
      {results ? <PollResultsChart poll={poll} results={results} size="large" /> : <p className="screen-waiting">Waiting for the first answers…</p>}
    </section>
  );
}
