"use client";
import { useFitText } from "../use-fit-text";
import { useServerClock } from "../use-server-clock";
import { PollResultsChart } from "./poll-results-chart";
import { timeLeft } from "./session-polls";
import { currentPoll, usePolls } from "./use-polls";
import "./polls.css";

/**
 * The room screen's poll (/sessions/<slug>/screen, beside the question on stage): the poll running
 * now (or the one that just closed) as a large chart,
 * readable from the back of the room. The numbers are text beside the bars, which is also the
 * chart's text alternative. The room screen sees live results, like panelists, and joins the session
 * as the screen, so the server never sends it drafts or moderators' Q&A data, whoever is signed in.
 */
export function ScreenPolls({ slug, serverNow }: { slug: string; serverNow: string }) {
  const { state } = usePolls(slug, { view: "screen" });
  const now = useServerClock(serverNow, 1000);
  const entry = currentPoll(state.entries);
  // The poll's type scales to fit its cell of the screen (it never scrolls): refit when the results or the clock's text change.
  const left = entry ? timeLeft(entry.poll, now) : null;
  const fit = useFitText<HTMLDivElement, HTMLElement>(entry ? `${JSON.stringify(entry.results)}:${entry.poll.status}:${left ?? ""}` : null, {
    min: 12,
    maxOfHeight: 0.05,
  });
  // Nothing on the projector until a moderator launches a poll.
  if (!state.snapshot || !entry) return null;
  const { poll, results } = entry;
  return (
    <div className="screen-polls-box" ref={fit.box}>
      <section className="screen-polls" aria-labelledby="screen-poll-question" aria-live="polite" data-fit ref={fit.content}>
        <h2 id="screen-poll-question" className="screen-question">
          {poll.question}
        </h2>
        <p className="screen-status">
          {poll.status === "open" ? "Poll open — answer on your phone" : "Poll closed"}
          {left ? ` · closes in ${left}` : ""}
        </p>
        {results ? <PollResultsChart poll={poll} results={results} size="large" /> : <p className="screen-waiting">Waiting for the first answers…</p>}
      </section>
    </div>
  );
}
