"use client";
import { useEffect, useMemo, useRef, useState } from "react";
import {
  CHATHAM_ASK_NOTE,
  QUESTION_MAX_CHARS,
  QUESTION_MIN_CHARS,
  authorLabel,
  checkQuestionText,
  ownStatusLabel,
  truncate,
  type QuestionView,
  type SimilarQuestion,
} from "@/lib/qa";
import type { AckResult } from "@/lib/realtime/contract";
import { SAVE_STALLED_MESSAGE } from "@/lib/save-failures";
import { getSocket } from "../realtime";
import { isLocal, type QaNotice } from "./qa-client";
import { useAnnouncer, useQa } from "./use-qa";
import "./qa.css";

export interface QaAudienceProps {
  slug: string;
  rule: "chatham_house" | "on_record";
  signedIn: boolean;
  canAsk: boolean;
  /** How the asker appears when they choose to show their name (their own name, shown only to them). */
  ownLabel: string | null;
  /** Links for staff. */
  links: Array<{ href: string; label: string }>;
  /** This person's outbox key (opaque, from the server): their queued work is kept under it on this device. */
  outboxKey: string | null;
  /** The server's "now" at render (the clock may be simulated). */
  serverNow: string;
}

type Sort = "popular" | "recent";

/** The audience's Q&A: ask (with similar questions), vote, follow own questions, see what is on stage. */
export function QaAudience({ slug, rule, signedIn, canAsk, ownLabel, links, outboxKey, serverNow }: QaAudienceProps) {
  const [spoken, announce] = useAnnouncer();
  // "Pause live updates" stops the list moving and holds what would be announced about it; on
  // resume one sentence says what came in meanwhile.
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(false);
  pausedRef.current = paused;
  const held = useRef<{ added: number; removed: number; stage: QuestionView | null | undefined }>({ added: 0, removed: 0, stage: undefined });
  const onNotice = (n: QaNotice) => {
    if (pausedRef.current && (n.kind === "question-added" || n.kind === "question-removed" || n.kind === "stage")) {
      if (n.kind === "question-added") held.current.added++;
      else if (n.kind === "question-removed") held.current.removed++;
      else held.current.stage = n.question;
      return;
    }
    if (n.kind === "question-added") announce(`New question: ${truncate(n.question.text, 120)}`);
    else if (n.kind === "stage" && n.question) announce(`On stage now: ${truncate(n.question.text, 120)}`);
    else if (n.kind === "mine" && n.previous && n.previous.status !== n.question.status) announce(`Your question: ${ownStatusLabel(n.question)}.`);
    else if (n.kind === "sent") announce(n.question.status === "pending" ? "Your question was sent. It awaits review by the moderators." : "Your question was sent and is published.");
    else if (n.kind === "failed") announce(`Not sent: ${n.message}`);
  };
  const setLiveUpdatesPaused = (next: boolean) => {
    setPaused(next);
    if (next) {
      held.current = { added: 0, removed: 0, stage: undefined };
      return;
    }
    const h = held.current;
    held.current = { added: 0, removed: 0, stage: undefined };
    const parts = [
      h.added ? `${h.added} new question${h.added > 1 ? "s" : ""}` : "",
      h.removed ? `${h.removed} question${h.removed > 1 ? "s" : ""} removed` : "",
      h.stage ? `on stage now: ${truncate(h.stage.text, 120)}` : h.stage === null ? "nothing on stage now" : "",
    ].filter(Boolean);
    announce(parts.length ? `Live updates resumed. While paused: ${parts.join("; ")}.` : "Live updates resumed. Nothing new while paused.");
  };
  // Staff on this page see what the audience sees; their own views are the console and the panel.
  const { client, state } = useQa(slug, { view: "audience", onNotice, enabled: signedIn, owner: outboxKey, serverNow });
  const chatham = rule === "chatham_house";

  if (!signedIn) {
    return (
      <div className="qa">
        <p>
          <a href={`/signin?callbackUrl=${encodeURIComponent(`/sessions/${slug}`)}`}>Sign in</a> or <a href="/join">join with the room code</a> to see the
          questions, ask and vote.
        </p>
      </div>
    );
  }

  const qa = state.state;
  const offline = state.status === "offline" || state.status === "connecting";
  return (
    <div className="qa" data-testid="qa-audience">
      {links.length ? (
        <p className="qa-staff-links">
          {links.map((l) => (
            <a key={l.href} href={l.href}>
              {l.label}
            </a>
          ))}
        </p>
      ) : null}
      <p className="qa-connection" role="status" data-status={state.status} data-testid="qa-connection">
        {state.status === "refused"
          ? state.refusal
          : offline
            ? "Offline. What you send now stays on this device and goes out when the connection returns."
            : state.outbox.length
              ? state.stalled
                ? SAVE_STALLED_MESSAGE
                : `Sending ${state.outbox.length} waiting item${state.outbox.length > 1 ? "s" : ""}…`
              : ""}
      </p>
      {canAsk ? <AskForm slug={slug} chatham={chatham} ownLabel={ownLabel} client={client} state={state} onVoted={() => announce("Your vote was added to that question instead.")} /> : null}
      <MyQuestions state={state} onDismiss={(k) => client?.dismissFailure(k)} />
      <QuestionList
        state={state}
        chatham={chatham}
        onVote={(id, up) => client?.vote(id, up)}
        canVote={Boolean(client) && state.status !== "refused" && !qa?.ended && qa?.qaOpen !== false}
        paused={paused}
        onPause={setLiveUpdatesPaused}
      />
      <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="qa-announcer">
        {spoken}
      </div>
    </div>
  );
}

function AskForm({
  slug,
  chatham,
  ownLabel,
  client,
  state,
  onVoted,
}: {
  slug: string;
  chatham: boolean;
  ownLabel: string | null;
  client: ReturnType<typeof useQa>["client"];
  state: ReturnType<typeof useQa>["state"];
  onVoted: () => void;
}) {
  const [text, setText] = useState("");
  const [anonymous, setAnonymous] = useState(true);
  const [similar, setSimilar] = useState<SimilarQuestion[]>([]);
  const [touched, setTouched] = useState(false);
  const check = checkQuestionText(text);
  const qa = state.state;
  const closedReason = !qa
    ? null
    : qa.ended
      ? "This session has ended: questions are closed."
      : !qa.qaOpen
        ? "Q&A is closed for this session."
        : qa.intakePaused
          ? "The moderators have paused new questions for a moment. You can still vote."
          : null;

  // Similar questions, computed by the server, once typing pauses.
  const cleaned = check.text;
  useEffect(() => {
    if (questionWords(cleaned) < 2 || state.status !== "live") {
      setSimilar([]);
      return;
    }
    const t = setTimeout(() => {
      getSocket().emit("question:similar", { slug, text: cleaned }, (r: AckResult<SimilarQuestion[]>) => setSimilar(r.ok ? r.data : []));
    }, 400);
    return () => clearTimeout(t);
  }, [cleaned, slug, state.status]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!check.ok || !client || closedReason) return;
    client.submit(text, chatham ? true : anonymous);
    setText("");
    setSimilar([]);
    setTouched(false);
  };

  const countText = `${check.length} of ${QUESTION_MAX_CHARS} characters`;
  const tooLong = check.length > QUESTION_MAX_CHARS;
  const showError = touched && !check.ok;
  return (
    <form className="qa-ask" onSubmit={submit} noValidate aria-labelledby="qa-ask-heading">
      <h3 id="qa-ask-heading">Ask a question</h3>
      <label htmlFor={`qa-text-${slug}`}>Your question</label>
      <textarea
        id={`qa-text-${slug}`}
        name="question"
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-describedby={`qa-count-${slug} qa-rule-${slug}${showError ? ` qa-error-${slug}` : ""}`}
        aria-invalid={showError || tooLong ? true : undefined}
      />
      <p id={`qa-count-${slug}`} className={`qa-count${tooLong ? " over" : ""}`} data-testid="qa-count">
        {countText}
        {check.length < QUESTION_MIN_CHARS ? ` (at least ${QUESTION_MIN_CHARS})` : ""}
      </p>
      {chatham ? (
        <p id={`qa-rule-${slug}`} className="qa-rule">
          {CHATHAM_ASK_NOTE}
        </p>
      ) : (
        <fieldset className="qa-identity" id={`qa-rule-${slug}`}>
          <legend>Show your name?</legend>
          <label>
            <input type="radio" name={`identity-${slug}`} checked={anonymous} onChange={() => setAnonymous(true)} /> Ask anonymously
          </label>
          <label>
            <input type="radio" name={`identity-${slug}`} checked={!anonymous} disabled={!ownLabel} onChange={() => setAnonymous(false)} />{" "}
            {ownLabel ? `Show my name and affiliation (${ownLabel})` : "Show my name (your profile has no name)"}
          </label>
        </fieldset>
      )}
      {similar.length ? (
        <section className="qa-similar" aria-labelledby={`qa-similar-${slug}`}>
          <h4 id={`qa-similar-${slug}`}>Similar questions already asked</h4>
          <ul>
            {similar.map((s) => {
              const voted = state.myVotes.has(s.id);
              return (
                <li key={s.id}>
                  <span className="qa-text">{s.text}</span>{" "}
                  <span className="muted">
                    ({state.votes[s.id] ?? s.votes} vote{(state.votes[s.id] ?? s.votes) === 1 ? "" : "s"})
                  </span>{" "}
                  <button
                    type="button"
                    className="secondary"
                    disabled={voted}
                    onClick={() => {
                      client?.vote(s.id, true);
                      setText("");
                      setSimilar([]);
                      onVoted();
                    }}
                  >
                    {voted ? "You upvoted this" : "Upvote instead"}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
      {showError ? (
        <p id={`qa-error-${slug}`} className="error">
          {check.ok ? "" : check.message}
        </p>
      ) : null}
      {closedReason ? <p className="qa-closed">{closedReason}</p> : null}
      <button type="submit" disabled={Boolean(closedReason) || !client}>
        Send question
      </button>
    </form>
  );
}

function questionWords(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 2).length;
}

function MyQuestions({ state, onDismiss }: { state: ReturnType<typeof useQa>["state"]; onDismiss: (key: string) => void }) {
  if (!state.mine.length && !state.failed.length) return null;
  const offline = state.status !== "live";
  return (
    <section className="qa-mine" aria-labelledby="qa-mine-heading">
      <h3 id="qa-mine-heading">Your questions</h3>
      <ul>
        {state.mine.map((q) => (
          <li key={q.key} data-status={isLocal(q) ? "waiting" : q.status} className={q.onStage ? "on-stage" : undefined}>
            <span className="qa-text">{q.text}</span>
            <span className="qa-status">
              {isLocal(q) ? (offline ? "Waiting for the connection — kept on this device" : "Sending…") : ownStatusLabel(q)}
              {!isLocal(q) && q.anonymous ? " · anonymous" : ""}
            </span>
          </li>
        ))}
        {state.failed.map((f) => (
          <li key={f.key} data-status="failed">
            <span className="qa-text">{f.text}</span>
            <span className="qa-status error">Not sent: {f.message}</span>{" "}
            <button type="button" className="secondary" onClick={() => onDismiss(f.key)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function QuestionList({
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
    return { open: list.filter((q) => q.status === "approved"), answered: list.filter((q) => q.status === "answered") };
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
      {ordered.open.length === 0 && ordered.answered.length === 0 ? <p className="muted">No questions yet. Be the first to ask.</p> : null}
      {ordered.open.length ? (
        <ol className="qa-questions" aria-label="Open questions">
          {ordered.open.map((q) => (
            <QuestionItem key={q.id} q={q} votes={shown.votes[q.id] ?? q.votes} voted={state.myVotes.has(q.id)} onStage={q.id === onStageId} chatham={chatham} onVote={onVote} canVote={canVote} />
          ))}
        </ol>
      ) : null}
      {ordered.answered.length ? (
        <>
          <h4>Answered</h4>
          <ol className="qa-questions answered" aria-label="Answered questions">
            {ordered.answered.map((q) => (
              <QuestionItem key={q.id} q={q} votes={shown.votes[q.id] ?? q.votes} voted={state.myVotes.has(q.id)} onStage={false} chatham={chatham} onVote={onVote} canVote={false} />
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

function countDifferences(a: { questions: ReadonlyMap<string, QuestionView>; votes: Readonly<Record<string, number>> }, b: typeof a): number {
  let n = 0;
  for (const [id, q] of b.questions) {
    const old = a.questions.get(id);
    if (!old || old.version !== q.version || a.votes[id] !== b.votes[id]) n++;
  }
  for (const id of a.questions.keys()) if (!b.questions.has(id)) n++;
  return n;
}
