"use client";
import { useEffect, useRef, useState } from "react";
import { ownStatusLabel, truncate, type QuestionView } from "@/lib/qa";
import type { QaNotice } from "@/lib/client/qa-client";
import { AskForm } from "./qa-ask-form";
import { MyQuestions } from "./qa-my-questions";
import { QuestionList } from "./qa-question-list";
import { SAVE_STALLED_MESSAGE } from "@/lib/save-failures";
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
  /** Shown right after the ask box (in the room: the live poll), before the audience's questions. */
  afterAsk?: React.ReactNode;
}

/** How long the page's first connection may take before the page says it is connecting. */
const SLOW_START_MS = 2000;

/** Whether `on` has held for `ms` without a break. */
function useLasting(on: boolean, ms: number): boolean {
  const [lasted, setLasted] = useState(false);
  useEffect(() => {
    setLasted(false);
    if (!on) return;
    const timer = setTimeout(() => setLasted(true), ms);
    return () => clearTimeout(timer);
  }, [on, ms]);
  return on && lasted;
}

/** The audience's Q&A: ask (with similar questions), vote, follow own questions, see what is on stage. */
export function QaAudience({ slug, rule, signedIn, canAsk, ownLabel, links, outboxKey, serverNow, afterAsk }: QaAudienceProps) {
  const [spoken, announce] = useAnnouncer();
  // "Pause live updates" stops the list moving and holds what would be announced about it; on
  // resume one sentence says what came in meanwhile.
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(false);
  pausedRef.current = paused;
  const held = useRef<{
    added: number;
    removed: number;
    stage: QuestionView | null | undefined;
  }>({ added: 0, removed: 0, stage: undefined });
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
    else if (n.kind === "sent")
      announce(n.question.status === "pending" ? "Your question was sent. It awaits review by the moderators." : "Your question was sent and is published.");
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
  const { client, state } = useQa(slug, {
    view: "audience",
    onNotice,
    enabled: signedIn,
    owner: outboxKey,
    serverNow,
  });
  const chatham = rule === "chatham_house";
  // The page's first connection usually takes well under a second: a notice meanwhile would come
  // and go above the ask box and move it under the thumb. It shows only if that connection is slow.
  const slowStart = useLasting(state.status === "connecting", SLOW_START_MS);

  if (!signedIn) {
    return (
      <div className="qa">
        <p>
          <a href={`/signin?callbackUrl=${encodeURIComponent(`/sessions/${slug}`)}`}>Sign in</a> or <a href="/join">join with the room code</a> to see the
          questions, ask and vote.
        </p>
        {afterAsk}
      </div>
    );
  }

  const qa = state.state;
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
          : state.status === "offline"
            ? "Offline. What you send now stays on this device and goes out when the connection returns."
            : slowStart
              ? "Connecting… What you send now stays on this device and goes out once connected."
              : state.outbox.length
                ? state.stalled
                  ? SAVE_STALLED_MESSAGE
                  : `Sending ${state.outbox.length} waiting item${state.outbox.length > 1 ? "s" : ""}…`
                : ""}
      </p>
      {canAsk ? (
        <AskForm
          slug={slug}
          chatham={chatham}
          ownLabel={ownLabel}
          client={client}
          state={state}
          onVoted={() => announce("Your vote was added to that question instead.")}
        />
      ) : null}
      {afterAsk}
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
