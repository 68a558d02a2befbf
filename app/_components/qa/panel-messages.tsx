"use client";
/**
 * Private notes from the producers to the panel. The server decides who may send (the session's
 * moderators and organizers) and who acknowledges (its panelists): `note:sync` says so, and this
 * island renders what it says. Producers get quick presets and a short free text, and see who read
 * each note and when; panelists see unread notes large, announced to screen readers, with "Got it".
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { NOTE_MAX_CHARS, NOTE_PRESETS, noteTextField, type NoteSync, type PanelNote } from "@/lib/panel-notes";
import { newClientKey } from "@/lib/qa";
import { listen, request } from "@/lib/client/request";
import { codePointLength } from "@/lib/text";
import { getSocket } from "../realtime";
import "./panel-messages.css";
import { ErrorAlert } from "../error-alert";

interface NotesState {
  status: "loading" | "live" | "refused";
  refusal: string;
  notes: PanelNote[];
  canSend: boolean;
  canAck: boolean;
  readByMe: ReadonlySet<string>;
}

const initial: NotesState = { status: "loading", refusal: "", notes: [], canSend: false, canAck: false, readByMe: new Set() };

/** Newest first; a note that comes again (its reads changed) replaces the one held. */
function upsert(notes: PanelNote[], note: PanelNote): PanelNote[] {
  const rest = notes.filter((n) => n.id !== note.id);
  return [note, ...rest].sort((a, b) => b.sentAt.localeCompare(a.sentAt));
}

function usePanelNotes(slug: string, onNew?: (note: PanelNote) => void) {
  const [state, setState] = useState<NotesState>(initial);
  const onNewRef = useRef(onNew);
  useEffect(() => {
    onNewRef.current = onNew;
  });
  useEffect(() => {
    const socket = getSocket();
    let alive = true;
    const sync = async () => {
      const r = await request(socket, "note:sync", { slug });
      if (!alive) return;
      if (r.ok) setState(fromSync(r.data));
      else setState((s) => ({ ...s, status: "refused", refusal: r.error.message }));
    };
    const stop = listen(socket, {
      "note:sent": ({ note }) => {
        if (note.slug !== slug) return;
        setState((s) => ({ ...s, notes: upsert(s.notes, note) }));
        onNewRef.current?.(note);
      },
      "note:acknowledged": ({ note }) => note.slug === slug && setState((s) => ({ ...s, notes: upsert(s.notes, note) })),
      // Facts sent while disconnected are not replayed: load again.
      connect: () => void sync(),
    });
    if (socket.connected) void sync();
    return () => {
      alive = false;
      stop();
    };
  }, [slug]);
  const acknowledged = useCallback(
    (note: PanelNote) => setState((s) => ({ ...s, notes: upsert(s.notes, note), readByMe: new Set([...s.readByMe, note.id]) })),
    [],
  );
  const sent = useCallback((note: PanelNote) => setState((s) => ({ ...s, notes: upsert(s.notes, note) })), []);
  return { state, acknowledged, sent };
}

function fromSync(d: NoteSync): NotesState {
  return { status: "live", refusal: "", notes: d.notes, canSend: d.canSend, canAck: d.canAck, readByMe: new Set(d.readByMe) };
}

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

function readLine(n: PanelNote): string {
  if (n.reads.length === 0) return "Not read yet";
  return `Read by ${n.reads.map((r) => `${r.name} at ${clock(r.at)}`).join(", ")}`;
}

/**
 * `send`: the producers' composer and sent notes (moderation console, and backstage for those the
 * server lets send). `inbox`: the panelists' notes (panel view, backstage).
 */
export function PanelNotes({ slug, mode }: { slug: string; mode: "send" | "inbox" }) {
  const [spoken, setSpoken] = useState("");
  const { state, acknowledged, sent } = usePanelNotes(slug, (note) => {
    if (mode !== "send") setSpoken(`Note from ${note.from.name}: ${note.text}`);
  });
  if (state.status === "refused") return null;
  const sender = mode === "send";
  const live = (
    // A new note is spoken at once: the panelist may be mid-sentence and not looking.
    <div className="visually-hidden" aria-live="assertive" aria-atomic="true">
      {spoken}
    </div>
  );
  if (!sender) {
    // On the panelists' screens the notes take no room until there is one.
    return (
      <>
        {state.notes.length ? (
          <section className="qa-notes qa-notes-inbox" aria-label="Notes from the producers" data-testid="notes-inbox">
            <Inbox slug={slug} state={state} onAcknowledged={acknowledged} />
          </section>
        ) : null}
        {live}
      </>
    );
  }
  return (
    <section className="qa-notes" aria-labelledby={`notes-${mode}-heading`} data-testid="notes-sender">
      <h2 id={`notes-${mode}-heading`}>Note to the panel</h2>
      {/* For a sender (console, and backstage for those the server lets send) the composer is there,
          unusable, while the notes load, so nothing around it moves when they arrive. */}
      {state.canSend || (mode === "send" && state.status !== "live") ? <NoteComposer slug={slug} onSent={sent} ready={state.status === "live"} /> : null}
      {state.status === "live" ? <SentNotes notes={state.notes} /> : <p className="muted">Loading notes…</p>}
      {live}
    </section>
  );
}

function NoteComposer({ slug, onSent, ready }: { slug: string; onSent: (n: PanelNote) => void; ready: boolean }) {
  const [text, setText] = useState("");
  const [outcome, setOutcome] = useState<{ text: string; error: boolean }>({ text: "", error: false });
  const [busy, setBusy] = useState(false);
  // One key per note: a resend after a reconnect is stored once.
  const keyRef = useRef(newClientKey());
  const send = async (raw: string) => {
    const parsed = noteTextField.safeParse(raw);
    if (!parsed.success) {
      setOutcome({ text: parsed.error.issues[0]?.message ?? "This note cannot be sent.", error: true });
      return;
    }
    setBusy(true);
    const r = await request(getSocket(), "note:send", { slug, key: keyRef.current, text: parsed.data });
    setBusy(false);
    if (r.ok) {
      keyRef.current = newClientKey();
      onSent(r.data);
      setText("");
      setOutcome({ text: `Sent: ${r.data.text}`, error: false });
    } else setOutcome({ text: r.error.message, error: true });
  };
  const length = codePointLength(text.trim());
  return (
    <div className="qa-notes-compose">
      <div className="qa-notes-presets" role="group" aria-label="Quick notes">
        {NOTE_PRESETS.map((p) => (
          <button key={p} type="button" className="secondary" disabled={busy || !ready} onClick={() => void send(p)}>
            {p}
          </button>
        ))}
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send(text);
        }}
      >
        <label htmlFor={`note-text-${slug}`}>Your note (only the panelists see it)</label>
        <div className="qa-notes-row">
          <input
            id={`note-text-${slug}`}
            type="text"
            value={text}
            maxLength={NOTE_MAX_CHARS * 2}
            aria-describedby={`note-count-${slug}`}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" disabled={busy || !ready}>
            Send note
          </button>
        </div>
        <p id={`note-count-${slug}`} className={`qa-count${length > NOTE_MAX_CHARS ? " over" : ""}`}>
          {length} / {NOTE_MAX_CHARS}
        </p>
      </form>
      <p className={`qa-outcome${outcome.error ? " error" : ""}`} role="status" data-testid="note-outcome">
        {outcome.text}
      </p>
    </div>
  );
}

function SentNotes({ notes }: { notes: PanelNote[] }) {
  if (notes.length === 0) return <p className="muted">No notes sent yet.</p>;
  return (
    <ol className="qa-notes-list" aria-label="Notes sent to the panel">
      {notes.slice(0, 5).map((n) => (
        <li key={n.id} data-testid="sent-note">
          <span className="qa-notes-text">{n.text}</span>
          <span className={`qa-notes-read${n.reads.length ? " read" : ""}`}>
            {clock(n.sentAt)} · {n.from.name} · {readLine(n)}
          </span>
        </li>
      ))}
    </ol>
  );
}

function Inbox({ slug, state, onAcknowledged }: { slug: string; state: NotesState; onAcknowledged: (n: PanelNote) => void }) {
  const [error, setError] = useState("");
  const unread = state.notes.filter((n) => !state.readByMe.has(n.id));
  const read = state.notes.filter((n) => state.readByMe.has(n.id));
  const ack = async (n: PanelNote) => {
    const r = await request(getSocket(), "note:ack", { slug, noteId: n.id });
    if (r.ok) {
      setError("");
      onAcknowledged(r.data.note);
    } else setError(r.error.message);
  };
  return (
    <>
      {state.canAck && unread.length ? (
        <ul className="qa-notes-unread" aria-label="Unread notes">
          {unread.map((n) => (
            <li key={n.id} className="qa-note-new" data-testid="unread-note">
              <p className="qa-note-text">{n.text}</p>
              <p className="qa-note-from">
                From {n.from.name} ({n.from.role}) at {clock(n.sentAt)}
              </p>
              <button type="button" onClick={() => void ack(n)} aria-label={`Got it: ${n.text}`}>
                Got it
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {!state.canAck && state.notes.length ? (
        <ol className="qa-notes-list" aria-label="Notes to the panel">
          {state.notes.slice(0, 3).map((n) => (
            <li key={n.id}>
              <span className="qa-notes-text">{n.text}</span> <span className="qa-notes-read">{readLine(n)}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {state.canAck && read.length ? (
        <p className="muted" data-testid="last-read-note">
          Last note: “{read[0].text}” (acknowledged)
        </p>
      ) : null}
      <ErrorAlert message={error} />
    </>
  );
}
