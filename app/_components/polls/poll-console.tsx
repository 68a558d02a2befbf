"use client";
import { useEffect, useRef, useState } from "react";
import { pollKindLabels, visibilityLabels, type PollEntry, type PollView } from "@/lib/polls";
import type { PollDraftInput } from "@/lib/schemas/polls";
import { useServerClock } from "../use-server-clock";
import { PollEditor } from "./poll-editor";
import { PollResultsChart } from "./poll-results-chart";
import { byRecency, timeLeft } from "./session-polls";
import type { CommandName, PayloadOf } from "@/lib/client/request";
import { CommandError, usePolls } from "./use-polls";
import "./polls.css";

interface Props {
  slug: string;
  serverNow: string;
  chathamHouse: boolean;
}

function newKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * The moderators' and organizers' poll console: prepare drafts, launch (or create and launch on the
 * spot), close, reopen, publish, watch results live, export. Every button is a native control, so
 * it works from the keyboard alone; outcomes are announced in one status region.
 */
export function PollConsole({ slug, serverNow, chathamHouse }: Props) {
  const { state, command } = usePolls(slug);
  const now = useServerClock(serverNow, 1000);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  // One idempotency key per poll being created: a retry after a lost ack cannot create it twice.
  const createKey = useRef(newKey());

  const run = async <E extends CommandName>(label: string, event: E, payload: PayloadOf<E>) => {
    try {
      await command(event, payload);
      setStatus({ text: label, error: false });
    } catch (err) {
      setStatus({ text: (err as Error).message, error: true });
    }
  };

  const create = async (draft: PollDraftInput, launch: boolean) => {
    const poll = await command("poll:create", { slug, clientKey: createKey.current, draft, open: launch });
    createKey.current = newKey();
    setStatus({ text: launch ? `Launched: ${poll.question}` : `Draft saved: ${poll.question}`, error: false });
  };

  const update = (poll: PollView) => async (draft: PollDraftInput) => {
    try {
      await command("poll:update", { pollId: poll.id, expectedVersion: poll.version, draft });
      setEditing(null);
      setStatus({ text: `Draft saved: ${draft.question}`, error: false });
    } catch (err) {
      if (err instanceof CommandError && err.code === "version_conflict") setEditing(null);
      throw err;
    }
  };

  useEffect(() => {
    if (state.error) setStatus({ text: state.error, error: true });
  }, [state.error]);

  const drafts = state.entries.filter((e) => e.poll.status === "draft");
  const running = byRecency(state.entries);
  return (
    <div className="poll-console">
      <p className="toolbar">
        <a href={`/sessions/${slug}`}>Session page</a>
        <a href={`/sessions/${slug}/screen`}>Room screen</a>
        <a href={`/api/sessions/${slug}/polls.csv`} download>
          Download results (CSV)
        </a>
      </p>
      {chathamHouse ? (
        <p className="rule-card">
          <strong>Chatham House Rule.</strong> Nobody, not even you, can see who answered what: only totals, and counts below 3 show as “fewer than 3”. The link
          between people and their answers is erased when the session ends; after that its polls cannot be reopened.
        </p>
      ) : null}
      <p className="connection-note" aria-live="polite">
        {state.connection === "live" ? "Connected: results update live." : state.connection === "offline" ? "Reconnecting…" : "Connecting…"}
      </p>
      <p role="status" className={status?.error ? "poll-error" : "poll-counted"} data-testid="console-status">
        {status?.text ?? ""}
      </p>
      <div className="console-grid">
        <section className="panel-section" aria-labelledby="new-poll-heading">
          <h2 id="new-poll-heading">New poll</h2>
          <PollEditor onSave={create} />
        </section>
        <section className="panel-section" aria-labelledby="running-heading">
          <h2 id="running-heading">Launched polls</h2>
          {running.length === 0 ? <p>None yet. Launch a draft, or create a poll and launch it now.</p> : null}
          <ul className="poll-list">
            {running.map((e) => (
              <li key={e.poll.id}>
                <RunningPoll entry={e} now={now} run={run} />
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="panel-section" aria-labelledby="drafts-heading">
        <h2 id="drafts-heading">Drafts</h2>
        {drafts.length === 0 ? <p>No drafts. Prepare polls before the session and launch them when the moment comes.</p> : null}
        <ul className="poll-list">
          {drafts.map(({ poll }) => (
            <li key={poll.id} className="poll-card">
              {editing === poll.id ? (
                <PollEditor poll={poll} onSave={update(poll)} onCancel={() => setEditing(null)} />
              ) : (
                <>
                  <h3>{poll.question}</h3>
                  <p className="poll-meta">
                    <span>{pollKindLabels[poll.kind]}</span>
                    {poll.options.length ? <span>{poll.options.map((o) => o.label).join(" · ")}</span> : null}
                    {poll.kind === "rating" ? (
                      <span>
                        1 ({poll.lowLabel}) to {poll.scaleMax} ({poll.highLabel})
                      </span>
                    ) : null}
                    <span>Results: {visibilityLabels[poll.resultsVisibility].toLowerCase()}</span>
                    {poll.durationSeconds ? <span>Timer {poll.durationSeconds} s</span> : null}
                  </p>
                  <div className="poll-actions">
                    <button
                      type="button"
                      onClick={() => void run(`Launched: ${poll.question}`, "poll:open", { pollId: poll.id })}
                      aria-label={`Launch: ${poll.question}`}
                    >
                      Launch
                    </button>
                    <button type="button" className="secondary" onClick={() => setEditing(poll.id)} aria-label={`Edit: ${poll.question}`}>
                      Edit
                    </button>
                    {confirmDelete === poll.id ? (
                      <>
                        <span>Delete this draft?</span>
                        <button
                          type="button"
                          onClick={() => {
                            setConfirmDelete(null);
                            void run(`Deleted: ${poll.question}`, "poll:delete", { pollId: poll.id });
                          }}
                        >
                          Yes, delete
                        </button>
                        <button type="button" className="secondary" onClick={() => setConfirmDelete(null)}>
                          Keep it
                        </button>
                      </>
                    ) : (
                      <button type="button" className="secondary" onClick={() => setConfirmDelete(poll.id)} aria-label={`Delete: ${poll.question}`}>
                        Delete
                      </button>
                    )}
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function RunningPoll({
  entry,
  now,
  run,
}: {
  entry: PollEntry;
  now: Date;
  run: <E extends CommandName>(label: string, event: E, payload: PayloadOf<E>) => Promise<void>;
}) {
  const { poll, results } = entry;
  const open = poll.status === "open";
  const left = timeLeft(poll, now);
  const headingId = `running-${poll.id}`;
  return (
    <article className={`poll-card${open ? " is-open" : ""}`} aria-labelledby={headingId}>
      <h3 id={headingId}>{poll.question}</h3>
      <p className="poll-meta">
        <span className={`poll-state${open ? " poll-state-open" : ""}`}>{open ? "Open" : "Closed"}</span>
        <span>{pollKindLabels[poll.kind]}</span>
        {left ? <span>Closes in {left}</span> : null}
        <span>
          {poll.resultsPublic
            ? "Audience sees the results"
            : `Audience sees results ${poll.resultsVisibility === "after_close" ? "when it closes" : "when you publish them"}`}
        </span>
      </p>
      {results ? <PollResultsChart poll={poll} results={results} /> : <p className="poll-hint">Waiting for results…</p>}
      <div className="poll-actions">
        {open ? (
          <button type="button" onClick={() => void run(`Closed: ${poll.question}`, "poll:close", { pollId: poll.id })} aria-label={`Close: ${poll.question}`}>
            Close
          </button>
        ) : (
          <button
            type="button"
            className="secondary"
            onClick={() => void run(`Reopened: ${poll.question}`, "poll:reopen", { pollId: poll.id })}
            aria-label={`Reopen: ${poll.question}`}
          >
            Reopen
          </button>
        )}
        {!poll.published ? (
          <button
            type="button"
            className="secondary"
            onClick={() => void run(`Results published: ${poll.question}`, "poll:publish", { pollId: poll.id })}
            aria-label={`Publish results: ${poll.question}`}
          >
            Publish results
          </button>
        ) : (
          <span>Results published</span>
        )}
      </div>
    </article>
  );
}
