"use client";
import { useId, useState } from "react";
import { pollKindLabels, POLL_LIMITS, visibilityLabels, type PollKind, type PollView, type ResultsVisibility } from "@/lib/polls";
import { pollDraftSchema, type PollDraftInput } from "@/lib/schemas/polls";
import "./polls.css";

interface FormState {
  kind: PollKind;
  question: string;
  options: string[];
  maxPicks: number;
  scaleMax: 5 | 10;
  lowLabel: string;
  highLabel: string;
  resultsVisibility: ResultsVisibility;
  /** Seconds as typed; "" for no timer. */
  timer: string;
}

const blank: FormState = {
  kind: "single",
  question: "",
  options: ["", ""],
  maxPicks: 2,
  scaleMax: 5,
  lowLabel: "Not at all",
  highLabel: "Very much",
  resultsVisibility: "live",
  timer: "",
};

function fromPoll(p: PollView): FormState {
  return {
    kind: p.kind,
    question: p.question,
    options: p.options.length ? p.options.map((o) => o.label) : ["", ""],
    maxPicks: p.maxPicks ?? 2,
    scaleMax: p.scaleMax === 10 ? 10 : 5,
    lowLabel: p.lowLabel ?? blank.lowLabel,
    highLabel: p.highLabel ?? blank.highLabel,
    resultsVisibility: p.resultsVisibility,
    timer: p.durationSeconds ? String(p.durationSeconds) : "",
  };
}

function toDraft(f: FormState): PollDraftInput {
  const common = { question: f.question, resultsVisibility: f.resultsVisibility, durationSeconds: f.timer.trim() ? Number(f.timer) : null };
  switch (f.kind) {
    case "single":
      return { kind: "single", ...common, options: f.options };
    case "multiple":
      return { kind: "multiple", ...common, options: f.options, maxPicks: f.maxPicks };
    case "rating":
      return { kind: "rating", ...common, scaleMax: f.scaleMax, lowLabel: f.lowLabel, highLabel: f.highLabel };
    case "word_cloud":
      return { kind: "word_cloud", ...common };
  }
}

const fieldNames: Record<string, string> = {
  question: "Question",
  options: "Options",
  maxPicks: "Most picks",
  scaleMax: "Scale",
  lowLabel: "Low end label",
  highLabel: "High end label",
  durationSeconds: "Timer",
};

interface Props {
  /** A draft being edited; a new poll when absent. */
  poll?: PollView;
  /** Saves the draft; `launch` creates and opens it at once. Rejects with a message to show. */
  onSave: (draft: PollDraftInput, launch: boolean) => Promise<void>;
  onCancel?: () => void;
}

/** Preparing a poll: kind, question, options or scale, results visibility and an optional timer. */
export function PollEditor({ poll, onSave, onCancel }: Props) {
  const id = useId();
  const [f, setF] = useState<FormState>(() => (poll ? fromPoll(poll) : blank));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));

  const save = async (launch: boolean) => {
    const draft = toDraft(f);
    const parsed = pollDraftSchema.safeParse(draft);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = fieldNames[String(issue.path[0])];
      setError(field ? `${field}: ${issue.message}` : issue.message);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(draft, launch);
      if (!poll) setF({ ...blank, kind: f.kind, resultsVisibility: f.resultsVisibility });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const hasOptions = f.kind === "single" || f.kind === "multiple";
  return (
    <form
      className="poll-editor"
      aria-label={poll ? `Edit draft: ${poll.question}` : "New poll"}
      onSubmit={(e) => {
        e.preventDefault();
        void save(false);
      }}
      noValidate
    >
      <fieldset className="field">
        <legend>Kind</legend>
        <div className="poll-radio-row">
          {(Object.keys(pollKindLabels) as PollKind[]).map((k) => (
            <label key={k}>
              <input type="radio" name={`${id}-kind`} value={k} checked={f.kind === k} onChange={() => set("kind", k)} />
              {pollKindLabels[k]}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-question`}>Question</label>
        <textarea
          id={`${id}-question`}
          rows={2}
          maxLength={POLL_LIMITS.question}
          value={f.question}
          onChange={(e) => set("question", e.target.value)}
          required
        />
      </div>
      {hasOptions ? (
        <fieldset className="field">
          <legend>Options</legend>
          {f.options.map((o, i) => (
            <div key={i} className="poll-option-row">
              <label className="visually-hidden" htmlFor={`${id}-opt-${i}`}>
                Option {i + 1}
              </label>
              <input
                id={`${id}-opt-${i}`}
                type="text"
                maxLength={POLL_LIMITS.option}
                value={o}
                placeholder={`Option ${i + 1}`}
                onChange={(e) =>
                  set(
                    "options",
                    f.options.map((x, j) => (j === i ? e.target.value : x)),
                  )
                }
              />
              {f.options.length > POLL_LIMITS.minOptions ? (
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Remove option ${i + 1}`}
                  onClick={() =>
                    set(
                      "options",
                      f.options.filter((_, j) => j !== i),
                    )
                  }
                >
                  Remove
                </button>
              ) : null}
            </div>
          ))}
          {f.options.length < POLL_LIMITS.maxOptions ? (
            <button type="button" className="secondary" onClick={() => set("options", [...f.options, ""])}>
              Add option
            </button>
          ) : null}
        </fieldset>
      ) : null}
      {f.kind === "multiple" ? (
        <div className="field">
          <label htmlFor={`${id}-picks`}>Most picks per person</label>
          <input id={`${id}-picks`} type="number" min={1} max={f.options.length} value={f.maxPicks} onChange={(e) => set("maxPicks", Number(e.target.value))} />
        </div>
      ) : null}
      {f.kind === "rating" ? (
        <>
          <fieldset className="field">
            <legend>Scale</legend>
            <div className="poll-radio-row">
              {([5, 10] as const).map((n) => (
                <label key={n}>
                  <input type="radio" name={`${id}-scale`} checked={f.scaleMax === n} onChange={() => set("scaleMax", n)} />1 to {n}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="field">
            <label htmlFor={`${id}-low`}>Label of 1</label>
            <input id={`${id}-low`} type="text" maxLength={POLL_LIMITS.label} value={f.lowLabel} onChange={(e) => set("lowLabel", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-high`}>Label of {f.scaleMax}</label>
            <input id={`${id}-high`} type="text" maxLength={POLL_LIMITS.label} value={f.highLabel} onChange={(e) => set("highLabel", e.target.value)} />
          </div>
        </>
      ) : null}
      {f.kind === "word_cloud" ? (
        <p className="poll-hint">
          People answer with a word or a short phrase (up to {POLL_LIMITS.word} characters); the same words are counted together whatever their case or spacing.
        </p>
      ) : null}
      <fieldset className="field">
        <legend>Show results to the audience</legend>
        <div className="poll-radio-row">
          {(Object.keys(visibilityLabels) as ResultsVisibility[]).map((v) => (
            <label key={v}>
              <input type="radio" name={`${id}-vis`} value={v} checked={f.resultsVisibility === v} onChange={() => set("resultsVisibility", v)} />
              {visibilityLabels[v]}
            </label>
          ))}
        </div>
        <span className="hint">Moderators, panelists and the room screen always see results live.</span>
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-timer`}>
          Timer in seconds{" "}
          <span className="hint">
            (optional: the poll closes by itself; {POLL_LIMITS.minDurationSeconds}–{POLL_LIMITS.maxDurationSeconds})
          </span>
        </label>
        <input
          id={`${id}-timer`}
          type="number"
          inputMode="numeric"
          min={POLL_LIMITS.minDurationSeconds}
          max={POLL_LIMITS.maxDurationSeconds}
          value={f.timer}
          onChange={(e) => set("timer", e.target.value)}
        />
      </div>
      {error ? (
        <p role="alert" className="poll-error">
          {error}
        </p>
      ) : null}
      <div className="poll-actions">
        {poll ? (
          <>
            <button type="submit" disabled={busy}>
              Save changes
            </button>
            <button type="button" className="secondary" onClick={onCancel}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button type="submit" className="secondary" disabled={busy}>
              Save as draft
            </button>
            <button type="button" disabled={busy} onClick={() => void save(true)}>
              Launch now
            </button>
          </>
        )}
      </div>
    </form>
  );
}
