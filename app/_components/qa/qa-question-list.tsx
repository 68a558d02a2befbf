"use client";
import { useMemo, useRef, useState } from "react";
import { authorLabel, truncate, type QuestionView } from "@/lib/qa";
import { EmptyQuestions } from "./qa-empty";
import type { useQa } from "./use-qa";

type Sort = "popular" | "recent";

/** The questions the audience sees, to vote on; sortable, and live updates can be paused. */
export function QuestionList({
  state,
  chatham,
  onVote,
  canVote,
  paused,
  onPause,
}: {
  state: ReturnType<typeof useQa>["state"];
  chatham: boolean;
  onVote: (id: string, up: boolean) => void;
  canVote: boolean;
  paused: boolean;
  onPause: (paused: boolean) => void;
}) {
  const [sort, setSort] = useState<Sort>("popular");
  const live = { questions: state.questions, votes: state.votes };
  const frozen = useRef(live);
  if (!paused) frozen.current = live;
  const shown = paused ? frozen.current : live;
  const waiting = paused ? countDifferences(frozen.current, live) : 0;

  const ordered = useMemo(() => {
    const list = [...shown.questions.values()].filter((q) => q.status === "approved" || q.status === "answered");
    const votes = (q: QuestionView) => shown.votes[q.id] ?? q.votes;
    const byRecent = (a: QuestionView, b: QuestionView) => b.createdAt.localeCompare(a.createdAt);
    list.sort(sort === "recent" ? byRecent : (a, b) => votes(b) - votes(a) || byRecent(a, b));
    return {
      open: list.filter((q) => q.status === "approved"),
      answered: list.filter((q) => q.status === "answered"),
    };
  }, [shown, sort]);
  const onStageId = state.state?.onStage ?? null;
  const onStage = onStageId ? (state.questions.get(onStageId) ?? null) : null;

  return (
    <section className="qa-list" aria-labelledby="qa-list-heading">
      <h3 id="qa-list-heading">Questions from the audience</h3>
      {onStage ? (
        <div className="qa-on-stage" data-testid="qa-on-stage">
          <p className="qa-on-stage-label">On stage now</p>
          <p className="qa-text">{onStage.text}</p>
          {!chatham && onStage.author ? <p className="qa-author">{authorLabel(onStage.author)}</p> : null}
        </div>
      ) : null}
      <div className="qa-list-tools">
        <fieldset className="qa-sort">
          <legend>Sort</legend>
          <label>
            <input type="radio" name="qa-sort" checked={sort === "popular"} onChange={() => setSort("popular")} /> Popular
          </label>
          <label>
            <input type="radio" name="qa-sort" checked={sort === "recent"} onChange={() => setSort("recent")} /> Recent
          </label>
        </fieldset>
        <button type="button" role="switch" aria-checked={paused} className="secondary qa-switch" onClick={() => onPause(!paused)}>
          Pause live updates
        </button>
        {paused && waiting ? (
          <button type="button" className="secondary" onClick={() => onPause(false)}>
            Show {waiting} update{waiting > 1 ? "s" : ""}
          </button>
        ) : null}
      </div>
      {ordered.open.length === 0 && ordered.answered.length === 0 ? (
        <EmptyQuestions state={state} className="muted">
          No questions yet. Be the first to ask.
        </EmptyQuestions>
      ) : null}
      {ordered.open.length ? (
        <ol className="qa-questions" aria-label="Open questions">
          {ordered.open.map((q) => (
            <QuestionItem
              key={q.id}
              q={q}
              votes={shown.votes[q.id] ?? q.votes}
              voted={state.myVotes.has(q.id)}
              onStage={q.id === onStageId}
              chatham={chatham}
              onVote={onVote}
              canVote={canVote}
            />
          ))}
        </ol>
      ) : null}
      {ordered.answered.length ? (
        <>
          <h4>Answered</h4>
          <ol className="qa-questions answered" aria-label="Answered questions">
            {ordered.answered.map((q) => (
              <QuestionItem
                key={q.id}
                q={q}
                votes={shown.votes[q.id] ?? q.votes}
                voted={state.myVotes.has(q.id)}
                onStage={false}
                chatham={chatham}
                onVote={onVote}
                canVote={false}
              />
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}

function QuestionItem({
  q,
  votes,
  voted,
  onStage,
  chatham,
  onVote,
  canVote,
}: {
  q: QuestionView;
  votes: number;
  voted: boolean;
  onStage: boolean;
  chatham: boolean;
  onVote: (id: string, up: boolean) => void;
  canVote: boolean;
}) {
  return (
    <li className={`qa-question${onStage ? " on-stage" : ""}`} data-question-id={q.id}>
      <div className="qa-question-body">
        {onStage ? <span className="badge badge-live">On stage</span> : null}
        <p className="qa-text">{q.text}</p>
        <p className="qa-author muted">{chatham ? "Anonymous" : authorLabel(q.author)}</p>
      </div>
      <button
        type="button"
        className={`qa-vote${voted ? " voted" : ""}`}
        aria-pressed={voted}
        disabled={!canVote}
        onClick={() => onVote(q.id, !voted)}
        aria-label={`Upvote: ${truncate(q.text, 60)} (${votes} vote${votes === 1 ? "" : "s"})`}
      >
        <span aria-hidden="true">▲</span> <span className="qa-vote-count">{votes}</span>
      </button>
    </li>
  );
}

function countDifferences(
  a: {
    questions: ReadonlyMap<string, QuestionView>;
    votes: Readonly<Record<string, number>>;
  },
  b: typeof a,
): number {
  let n = 0;
  for (const [id, q] of b.questions) {
    const old = a.questions.get(id);
    if (!old || old.version !== q.version || a.votes[id] !== b.votes[id]) n++;
  }
  for (const id of a.questions.keys()) if (!b.questions.has(id)) n++;
  return n;
}
