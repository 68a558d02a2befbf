"use client";
import { useEffect, useId, useRef, useState } from "react";
import { answerSummary, POLL_LIMITS, type MyAnswer, type PollAnswer, type PollEntry, type PollView } from "@/lib/polls";
import { useServerClock } from "../use-server-clock";
import { PollResultsChart } from "./poll-results-chart";
import { isRetryableFailure, SAVE_STALLED_MESSAGE } from "@/lib/save-failures";
import { CommandError, usePolls } from "./use-polls";
import "./polls.css";

interface Props {
  slug: string;
  serverNow: string;
}

/** "0:42" until the timer closes the poll, or null. */
export function timeLeft(poll: PollView, now: Date): string | null {
  if (poll.status !== "open" || !poll.closesAt) return null;
  const s = Math.max(0, Math.ceil((Date.parse(poll.closesAt) - now.getTime()) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function resultsPendingText(poll: PollView): string {
  if (poll.resultsVisibility === "after_close" && poll.status === "open") return "Results appear here when the poll closes.";
  return "Results appear here when the moderator publishes them.";
}

export function byRecency(entries: PollEntry[]): PollEntry[] {
  const open = entries.filter((e) => e.poll.status === "open").sort((a, b) => Date.parse(b.poll.openedAt ?? "") - Date.parse(a.poll.openedAt ?? ""));
  const closed = entries.filter((e) => e.poll.status === "closed").sort((a, b) => Date.parse(b.poll.closedAt ?? "") - Date.parse(a.poll.closedAt ?? ""));
  return [...open, ...closed];
}

/**
 * The audience's polls on the session page: a launched poll appears without reload and is announced
 * to screen readers; one answer per person, which can be changed while the poll is open; results
 * when the moderator's choice of visibility allows.
 */
export function SessionPolls({ slug, serverNow }: Props) {
  const { state, command, recordAnswer } = usePolls(slug);
  const now = useServerClock(serverNow, 1000);
  const [announcement, setAnnouncement] = useState("");
  // A newly opened poll, shown in a banner with a jump to it until it is answered, closed or dismissed.
  const [banner, setBanner] = useState<{ id: string; question: string } | null>(null);
  // Answers not yet acknowledged (offline, timed out): sent again after the next snapshot.
  const pending = useRef(new Map<string, PollAnswer>());
  const [, setPendingCount] = useState(0);
  const retries = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const timers = retries.current;
    return () => timers.forEach((t) => clearTimeout(t));
  }, []);

  useEffect(() => {
    const e = state.lastEvent;
    if (!e || e.type === "answered") return;
    const text = { opened: "New poll", reopened: "Poll reopened", closed: "Poll closed", published: "Results published" }[e.type];
    setAnnouncement(`${text}: ${e.poll.question}`);
    if (e.type === "opened" || e.type === "reopened") setBanner({ id: e.poll.id, question: e.poll.question });
    else if (e.type === "closed") setBanner((b) => (b?.id === e.poll.id ? null : b));
  }, [state.lastEvent]);
  const answeredBanner = banner ? Boolean(state.mine[banner.id]) : false;
  const jump = (id: string) => {
    setBanner(null);
    const target = document.getElementById(`poll-${id}`);
    target?.scrollIntoView({ block: "start", behavior: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
    target?.focus({ preventScroll: true });
  };

  const send = async (pollId: string, answer: PollAnswer): Promise<MyAnswer> => {
    clearTimeout(retries.current.get(pollId));
    pending.current.set(pollId, answer);
    setPendingCount(pending.current.size);
    try {
      const mine = await command("poll:answer", { pollId, answer });
      recordAnswer(mine);
      pending.current.delete(pollId);
      return mine;
    } catch (err) {
      // Refusals are final (the answer is dropped); a lost connection keeps it for a resend, and so
      // does a server that cannot save right now (an outage): that one is tried again every 3 s.
      if (err instanceof CommandError && isRetryableFailure(err.code)) {
        clearTimeout(retries.current.get(pollId));
        retries.current.set(
          pollId,
          setTimeout(() => void send(pollId, answer).catch(() => {}), 3000),
        );
        throw new CommandError(err.code, SAVE_STALLED_MESSAGE);
      }
      if (!(err instanceof CommandError && (err.code === "offline" || err.code === "timeout"))) pending.current.delete(pollId);
      throw err;
    } finally {
      setPendingCount(pending.current.size);
    }
  };

  useEffect(() => {
    if (state.connection !== "live" || !state.snapshot) return;
    for (const [pollId, answer] of pending.current) void send(pollId, answer).catch(() => {});
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.connection, state.snapshot]);

  const entries = byRecency(state.entries);
  return (
    <div className="session-polls">
      <div role="status" aria-live="polite" className="visually-hidden" data-testid="poll-announcer">
        {announcement}
      </div>
      {banner && !answeredBanner ? (
        <div className="poll-banner" data-testid="poll-banner">
          <p>
            <strong>New poll:</strong> {banner.question}
          </p>
          <a
            href={`#poll-${banner.id}`}
            onClick={(ev) => {
              ev.preventDefault();
              jump(banner.id);
            }}
          >
            Jump to poll
          </a>
          <button type="button" className="secondary" onClick={() => setBanner(null)} aria-label="Dismiss the new poll notice">
            Dismiss
          </button>
        </div>
      ) : null}
      {state.connection === "offline" ? <p className="connection-note">Reconnecting… Answers you send go out when the connection is back.</p> : null}
      {state.error ? (
        <p className="poll-error" role="status" data-testid="polls-refusal">
          Polls could not be loaded: {state.error}
        </p>
      ) : !state.snapshot && state.connection !== "offline" ? (
        <p className="muted">Loading polls…</p>
      ) : null}
      {state.snapshot && !state.can.answer ? (
        <p className="poll-hint">
          To answer polls, <a href="/join">enter this session&apos;s room code</a> or{" "}
          <a href={`/signin?callbackUrl=${encodeURIComponent(`/sessions/${slug}`)}`}>sign in</a>.
        </p>
      ) : null}
      {state.snapshot && entries.length === 0 ? <p>No polls yet. When the moderator launches one, it appears here.</p> : null}
      {entries.length ? (
        // Someone who reached a poll by themselves needs the banner no more, and it must not cover the poll's buttons.
        <ul className="poll-list" aria-label="Polls" onFocus={() => setBanner(null)} onPointerDown={() => setBanner(null)}>
          {entries.map((e) => (
            <li key={e.poll.id}>
              <AudiencePoll entry={e} mine={state.mine[e.poll.id] ?? null} canAnswer={state.can.answer} now={now} send={send} />
            </li>
          ))}
        </ul>
      ) : null}
      {state.can.manage ? (
        <p>
          <a href={`/sessions/${slug}/polls`}>Open the poll console</a>
        </p>
      ) : null}
    </div>
  );
}

function initialSelection(mine: MyAnswer | null): { optionIds: string[]; rating: number | null; text: string } {
  const a = mine?.answer;
  return {
    optionIds: a?.kind === "single" ? [a.optionId] : a?.kind === "multiple" ? a.optionIds : [],
    rating: a?.kind === "rating" ? a.value : null,
    text: a?.kind === "word_cloud" ? a.text : "",
  };
}

function AudiencePoll({
  entry,
  mine,
  canAnswer,
  now,
  send,
}: {
  entry: PollEntry;
  mine: MyAnswer | null;
  canAnswer: boolean;
  now: Date;
  send: (pollId: string, answer: PollAnswer) => Promise<MyAnswer>;
}) {
  const { poll, results } = entry;
  const id = useId();
  const [sel, setSel] = useState(() => initialSelection(mine));
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const open = poll.status === "open";
  const left = timeLeft(poll, now);
  const headingId = `${id}-q`;

  // An answer changed in another tab (or the snapshot after a reload) becomes this form's selection.
  const mineKey = mine ? `${mine.answeredAt}` : "";
  useEffect(() => {
    if (!mine) return;
    setSel(initialSelection(mine));
    // An answer kept while offline has now gone through.
    setStatus((s) => (s?.error ? { text: `Your answer was counted: ${answerSummary(poll, mine.answer)}.`, error: false } : s));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mineKey]);

  const answer = (): PollAnswer | null => {
    switch (poll.kind) {
      case "single":
        return sel.optionIds[0] ? { kind: "single", optionId: sel.optionIds[0] } : null;
      case "multiple":
        return sel.optionIds.length ? { kind: "multiple", optionIds: sel.optionIds } : null;
      case "rating":
        return sel.rating ? { kind: "rating", value: sel.rating } : null;
      case "word_cloud":
        return sel.text.trim() ? { kind: "word_cloud", text: sel.text } : null;
    }
  };

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    const a = answer();
    if (!a) {
      setStatus({ text: poll.kind === "word_cloud" ? "Type a word or a short phrase first." : "Choose an answer first.", error: true });
      return;
    }
    setBusy(true);
    setStatus(null);
    try {
      const saved = await send(poll.id, a);
      setStatus({ text: `Your answer was counted: ${answerSummary(poll, saved.answer)}.`, error: false });
    } catch (err) {
      setStatus({ text: (err as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };

  const picks = poll.maxPicks ?? 1;
  return (
    <article className={`poll-card${open ? " is-open" : ""}`} aria-labelledby={headingId} id={`poll-${poll.id}`} tabIndex={-1}>
      <h3 id={headingId}>{poll.question}</h3>
      <p className="poll-meta">
        <span className={`poll-state${open ? " poll-state-open" : ""}`}>{open ? "Open" : "Closed"}</span>
        {left ? <span>Closes in {left}</span> : null}
        {mine ? <span>Your answer: {answerSummary(poll, mine.answer)}</span> : null}
      </p>
      {open && canAnswer ? (
        <form className="poll-form" onSubmit={submit} noValidate>
          {poll.kind === "word_cloud" ? (
            <div className="field">
              <label htmlFor={`${id}-word`} className="poll-word-label">
                Your answer (a word or a short phrase)
              </label>
              <input
                id={`${id}-word`}
                className="poll-word-input"
                type="text"
                maxLength={POLL_LIMITS.word}
                autoComplete="off"
                value={sel.text}
                onChange={(e) => setSel({ ...sel, text: e.target.value })}
              />
            </div>
          ) : (
            <fieldset>
              <legend className="visually-hidden">{poll.question}</legend>
              {poll.kind === "multiple" ? <p className="poll-hint">Pick up to {picks}.</p> : null}
              {poll.kind === "rating" ? (
                <>
                  <div className="poll-scale">
                    {Array.from({ length: poll.scaleMax ?? 5 }, (_, i) => i + 1).map((v) => (
                      <label key={v} className="poll-choice">
                        <input type="radio" name={`${id}-rating`} value={v} checked={sel.rating === v} onChange={() => setSel({ ...sel, rating: v })} />
                        {v}
                        {v === 1 ? <span className="visually-hidden"> ({poll.lowLabel})</span> : null}
                        {v === poll.scaleMax ? <span className="visually-hidden"> ({poll.highLabel})</span> : null}
                      </label>
                    ))}
                  </div>
                  <p className="poll-scale-ends" aria-hidden="true">
                    <span>1 = {poll.lowLabel}</span>
                    <span>
                      {poll.scaleMax} = {poll.highLabel}
                    </span>
                  </p>
                </>
              ) : (
                <div className="poll-choices">
                  {poll.options.map((o) => {
                    const checked = sel.optionIds.includes(o.id);
                    const full = poll.kind === "multiple" && !checked && sel.optionIds.length >= picks;
                    return (
                      <label key={o.id} className="poll-choice">
                        <input
                          type={poll.kind === "single" ? "radio" : "checkbox"}
                          name={`${id}-choice`}
                          value={o.id}
                          checked={checked}
                          disabled={full}
                          onChange={(e) =>
                            setSel({
                              ...sel,
                              optionIds:
                                poll.kind === "single" ? [o.id] : e.target.checked ? [...sel.optionIds, o.id] : sel.optionIds.filter((x) => x !== o.id),
                            })
                          }
                        />
                        {o.label}
                      </label>
                    );
                  })}
                </div>
              )}
            </fieldset>
          )}
          <div className="poll-actions">
            <button type="submit" disabled={busy}>
              {mine ? "Change answer" : "Send answer"}
            </button>
          </div>
        </form>
      ) : null}
      <p role="status" className={status?.error ? "poll-error" : "poll-counted"}>
        {status?.text ?? ""}
      </p>
      {!(open && canAnswer) && !results && poll.options.length ? (
        <ul className="poll-hint">
          {poll.options.map((o) => (
            <li key={o.id}>{o.label}</li>
          ))}
        </ul>
      ) : null}
      {results ? <PollResultsChart poll={poll} results={results} /> : <p className="poll-hint">{resultsPendingText(poll)}</p>}
    </article>
  );
}
