"use client";
import { ownStatusLabel } from "@/lib/qa";
import { isLocal } from "@/lib/client/qa-client";
import type { useQa } from "./use-qa";

/** The person's own questions: waiting, sent, their status, and those refused for good. */
export function MyQuestions({ state, onDismiss }: { state: ReturnType<typeof useQa>["state"]; onDismiss: (key: string) => void }) {
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
