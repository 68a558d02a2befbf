"use client";
import { useEffect, useState } from "react";
import { CHATHAM_ASK_NOTE, QUESTION_MAX_CHARS, QUESTION_MIN_CHARS, checkQuestionText, type SimilarQuestion } from "@/lib/qa";
import { visibleLength } from "@/lib/text";
import { request } from "@/lib/client/request";
import { getSocket } from "../realtime";
import type { useQa } from "./use-qa";

/** Asking: the text rule's live count, similar questions as one types, anonymous or named. */
export function AskForm({
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
      void request(getSocket(), "question:similar", {
        slug,
        text: cleaned,
      }).then((r) => setSimilar(r.ok ? r.data : []));
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
        {visibleLength(check.text) < QUESTION_MIN_CHARS ? ` (at least ${QUESTION_MIN_CHARS})` : ""}
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
                    ({state.votes[s.id] ?? s.votes} vote
                    {(state.votes[s.id] ?? s.votes) === 1 ? "" : "s"})
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
