"use client";
import { LiveCaptions } from "../captions/live-captions";
import { useEffect, useState } from "react";
import { authorLabel, type QuestionView } from "@/lib/qa";
import { useServerClock } from "../use-server-clock";
import { timeLeft, useAnnouncer, useQa } from "./use-qa";
import { PanelNotes } from "./panel-messages";
import { EmptyQuestions } from "./qa-empty";
import "./qa.css";

export interface PanelViewProps {
  slug: string;
  title: string;
  rule: "chatham_house" | "on_record";
  /** The end per the agenda when the page was rendered; the live state's end replaces it. */
  endsAt: string;
  serverNow: string;
  /** The panelist looking at this screen (their own id), for "routed to you". */
  viewerId: string;
  viewerName: string | null;
}

/** How long "Marked answered." shows. */
const MESSAGE_MS = 5000;

/**
 * For a tablet on stage or a confidence monitor: large type, high contrast. Composed of sections
 * (clock, on stage, for you, queue) so other capabilities (poll results) can sit beside them.
 */
export function PanelView(props: PanelViewProps) {
  const [spoken, announce] = useAnnouncer();
  const { client, state } = useQa(props.slug, {
    view: "panel",
    serverNow: props.serverNow,
    onNotice: (n) => {
      if (n.kind === "stage" && n.question) announce(`On stage: ${n.question.text}`);
    },
  });
  const [message, setMessage] = useState({ text: "", error: false });
  // "Marked answered." floats over the page, so it goes after a few seconds; a refusal stays until the next try.
  useEffect(() => {
    if (!message.text || message.error) return;
    const timer = setTimeout(() => setMessage({ text: "", error: false }), MESSAGE_MS);
    return () => clearTimeout(timer);
  }, [message]);
  const onStageId = state.state?.onStage ?? null;
  const queue = [...state.questions.values()].filter((q) => q.status === "approved").sort((a, b) => (a.panelOrder ?? 0) - (b.panelOrder ?? 0));
  const onStage = onStageId ? (state.questions.get(onStageId) ?? null) : null;
  const forMe = queue.filter((q) => q.routedTo?.id === props.viewerId);
  const answer = async (q: QuestionView) => {
    if (!client) return;
    const r = await client.answer(q.id, q.version);
    setMessage(r.ok ? { text: "Marked answered.", error: false } : { text: r.error.message, error: true });
  };

  return (
    <div className="qa-panel-view" data-testid="panel-view">
      {/* The agenda's end as it is now: an organizer moving it moves this clock (agenda:changed). */}
      <PanelClock title={props.title} endsAt={state.state?.endsAt ?? props.endsAt} serverNow={props.serverNow} />
      <p className="qa-connection floating" role="status" data-status={state.status} data-testid="qa-connection">
        {state.status === "refused" ? state.refusal : state.status === "live" ? message.text : "Connecting…"}
      </p>
      <PanelNotes slug={props.slug} mode="inbox" />
      <section aria-labelledby="panel-stage-heading">
        <h2 id="panel-stage-heading">On stage</h2>
        {onStage ? (
          <div className="qa-panel-stage" data-testid="panel-on-stage">
            <p className="qa-text">{onStage.text}</p>
            <p className="qa-panel-meta">
              {props.rule === "on_record" ? `${authorLabel(onStage.author)} · ` : ""}
              {state.votes[onStage.id] ?? onStage.votes} vote{(state.votes[onStage.id] ?? onStage.votes) === 1 ? "" : "s"}
            </p>
            <button type="button" onClick={() => void answer(onStage)}>
              Mark answered
            </button>
          </div>
        ) : (
          <EmptyQuestions state={state} className="qa-panel-stage-empty">
            Nothing on stage. The moderators will put the next question here.
          </EmptyQuestions>
        )}
      </section>
      <section aria-labelledby="panel-mine-heading">
        <h2 id="panel-mine-heading">For you{props.viewerName ? `, ${props.viewerName}` : ""}</h2>
        {forMe.length ? (
          <PanelList questions={forMe} votes={state.votes} rule={props.rule} me={props.viewerId} onAnswer={answer} label="Questions routed to you" />
        ) : (
          <EmptyQuestions state={state}>No questions routed to you.</EmptyQuestions>
        )}
      </section>
      <section aria-labelledby="panel-queue-heading">
        <h2 id="panel-queue-heading">Queue{state.view ? ` (${queue.length})` : ""}</h2>
        {queue.length ? (
          <PanelList
            questions={queue}
            votes={state.votes}
            rule={props.rule}
            me={props.viewerId}
            onAnswer={answer}
            label="Approved questions in the moderators' order"
          />
        ) : (
          <EmptyQuestions state={state}>No approved questions yet.</EmptyQuestions>
        )}
      </section>
      {/* After the queue: the stage and the queue are what a panelist glances at between answers. */}
      <LiveCaptions slug={props.slug} overlaySettings={false} />
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {spoken}
      </div>
    </div>
  );
}

/** The head: the title and the time left. */
function PanelClock({ title, endsAt, serverNow }: { title: string; endsAt: string; serverNow: string }) {
  const now = useServerClock(serverNow, 1000);
  const left = timeLeft(endsAt, now);
  return (
    <header className="qa-panel-head">
      <h1>{title}</h1>
      <p className={`qa-clock${left.ms < 5 * 60_000 ? " low" : ""}`} data-testid="panel-time-left">
        {left.label}
      </p>
    </header>
  );
}

function PanelList({
  questions,
  votes,
  rule,
  me,
  onAnswer,
  label,
}: {
  questions: QuestionView[];
  votes: Readonly<Record<string, number>>;
  rule: "chatham_house" | "on_record";
  me: string;
  onAnswer: (q: QuestionView) => void;
  label: string;
}) {
  return (
    <ol className="qa-panel-list" aria-label={label}>
      {questions.map((q) => (
        <li key={q.id} className={q.routedTo?.id === me ? "routed" : undefined}>
          <div>
            <p className="qa-text">{q.text}</p>
            <p className="qa-panel-meta">
              {votes[q.id] ?? q.votes} vote{(votes[q.id] ?? q.votes) === 1 ? "" : "s"} · {q.origin === "room" ? "from the room" : "remote"}
              {q.starred ? " · ★ moderators' pick" : ""}
              {q.routedTo ? ` · for ${q.routedTo.name}` : ""}
              {rule === "on_record" && q.author ? ` · ${authorLabel(q.author)}` : ""}
            </p>
          </div>
          <button type="button" onClick={() => onAnswer(q)} aria-label={`Mark answered: ${q.text.slice(0, 60)}`}>
            Mark answered
          </button>
        </li>
      ))}
    </ol>
  );
}
