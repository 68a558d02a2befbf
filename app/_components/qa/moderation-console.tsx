"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { rankSimilar } from "@/lib/qa-similarity";
import {
  DISMISS_PRESETS,
  QUESTION_MAX_CHARS,
  authorLabel,
  checkQuestionText,
  truncate,
  type ModerationResult,
  type QuestionStatus,
  type QuestionView,
} from "@/lib/qa";
import type { AckResult } from "@/lib/realtime/contract";
import type { QaNotice } from "./qa-client";
import { useAnnouncer, useQa } from "./use-qa";
import "./qa.css";

type Tab = "pending" | "approved" | "answered" | "dismissed";
const TABS: Array<{ id: Tab; label: string; key: string }> = [
  { id: "pending", label: "Incoming", key: "1" },
  { id: "approved", label: "Panel queue", key: "2" },
  { id: "answered", label: "Answered", key: "3" },
  { id: "dismissed", label: "Dismissed", key: "4" },
];

type DialogKind = "dismiss" | "tags" | "route" | "merge";

interface ActionDef {
  id: string;
  label: string;
  key: string;
  /** The key as shown (and for aria-keyshortcuts). */
  shown: string;
  when: (q: QuestionView, onStage: boolean) => boolean;
}

const ACTIONS: ActionDef[] = [
  { id: "approve", label: "Approve", key: "a", shown: "A", when: (q) => q.status === "pending" || q.status === "dismissed" },
  { id: "stage", label: "Put on stage", key: "p", shown: "P", when: (q, s) => q.status === "approved" && !s },
  { id: "unstage", label: "Take off stage", key: "p", shown: "P", when: (q, s) => q.status === "approved" && s },
  { id: "answer", label: "Mark answered", key: "x", shown: "X", when: (q) => q.status === "approved" },
  { id: "dismiss", label: "Dismiss…", key: "d", shown: "D", when: (q) => q.status === "pending" || q.status === "approved" },
  { id: "edit", label: "Edit", key: "e", shown: "E", when: (q) => q.status !== "merged" },
  { id: "star", label: "Star", key: "s", shown: "S", when: (q) => q.status !== "merged" },
  { id: "tags", label: "Tags…", key: "t", shown: "T", when: (q) => q.status !== "merged" },
  { id: "route", label: "Route to panelist…", key: "r", shown: "R", when: (q) => q.status === "pending" || q.status === "approved" },
  { id: "merge", label: "Merge into…", key: "m", shown: "M", when: (q) => q.status === "pending" || q.status === "approved" },
  { id: "up", label: "Move up", key: "[", shown: "[", when: (q) => q.status === "approved" },
  { id: "down", label: "Move down", key: "]", shown: "]", when: (q) => q.status === "approved" },
  { id: "reopen", label: "Back to queue", key: "o", shown: "O", when: (q) => q.status === "answered" },
  { id: "restore", label: "Restore to incoming", key: "o", shown: "O", when: (q) => q.status === "dismissed" },
];

export interface ModerationConsoleProps {
  slug: string;
  title: string;
  rule: "chatham_house" | "on_record";
}

/** The moderators' triage console: keyboard first, live, every action versioned and undoable. */
export function ModerationConsole({ slug, title, rule }: ModerationConsoleProps) {
  const [spoken, announce] = useAnnouncer();
  const onNotice = useCallback(
    (n: QaNotice) => {
      if (n.kind === "question-added" && n.question.status === "pending") announce("A new question is waiting for review.");
    },
    [announce],
  );
  const { client, state } = useQa(slug, { view: "staff", onNotice });
  const [tab, setTab] = useState<Tab>("pending");
  const [search, setSearch] = useState("");
  const [starredOnly, setStarredOnly] = useState(false);
  const [origin, setOrigin] = useState<"all" | "room" | "remote">("all");
  const [tag, setTag] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ kind: DialogKind; question: QuestionView } | null>(null);
  const [outcome, setOutcome] = useState<{ text: string; error: boolean }>({ text: "", error: false });
  const itemRefs = useRef(new Map<string, HTMLElement>());
  const focusPending = useRef(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const qa = state.state;
  const onStage = qa?.onStage ?? null;

  const all = useMemo(() => [...state.questions.values()], [state.questions]);
  const mergedCount = useMemo(() => {
    const m = new Map<string, number>();
    for (const q of all) if (q.status === "merged" && q.mergedInto) m.set(q.mergedInto, (m.get(q.mergedInto) ?? 0) + 1);
    return m;
  }, [all]);
  const allTags = useMemo(() => [...new Set(all.flatMap((q) => q.tags ?? []))].sort(), [all]);

  const list = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const rows = all.filter(
      (q) =>
        q.status === tab &&
        (!needle || q.text.toLowerCase().includes(needle) || (q.originalText ?? "").toLowerCase().includes(needle)) &&
        (!starredOnly || q.starred) &&
        (origin === "all" || q.origin === origin) &&
        (!tag || (q.tags ?? []).includes(tag)),
    );
    const by: Record<Tab, (a: QuestionView, b: QuestionView) => number> = {
      pending: (a, b) => a.createdAt.localeCompare(b.createdAt),
      approved: (a, b) => (a.panelOrder ?? 0) - (b.panelOrder ?? 0) || a.createdAt.localeCompare(b.createdAt),
      answered: (a, b) => (b.answeredAt ?? "").localeCompare(a.answeredAt ?? ""),
      dismissed: (a, b) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""),
    };
    return rows.sort(by[tab]);
  }, [all, tab, search, starredOnly, origin, tag]);

  // Keep a selection in the list: when the selected question leaves this view, take its neighbour.
  const lastIndex = useRef(0);
  useEffect(() => {
    const i = selected ? list.findIndex((q) => q.id === selected) : -1;
    if (i >= 0) {
      lastIndex.current = i;
      return;
    }
    const next = list[Math.min(lastIndex.current, list.length - 1)]?.id ?? null;
    if (next !== selected) setSelected(next);
  }, [list, selected]);
  useEffect(() => {
    // After an action the focus follows the selection, once the selected question is on screen.
    const el = selected ? itemRefs.current.get(selected) : undefined;
    if (focusPending.current && el && list.some((q) => q.id === selected)) {
      focusPending.current = false;
      el.focus();
    }
  }, [selected, list]);

  const current = selected ? (state.questions.get(selected) ?? null) : null;
  const report = (r: AckResult<ModerationResult>) => {
    if (r.ok) setOutcome({ text: r.data.summary, error: false });
    else setOutcome({ text: r.error.message, error: true });
    return r;
  };

  const run = async (q: QuestionView, action: Record<string, unknown> & { type: string }) => {
    if (!client) return;
    focusPending.current = true;
    report(await client.moderate(q.id, q.version, action));
  };

  const act = (id: string, q: QuestionView | null) => {
    if (!q) return;
    const allowed = ACTIONS.find((a) => a.id === id && a.when(q, q.id === onStage));
    if (!allowed) return;
    switch (id) {
      case "dismiss":
      case "tags":
      case "route":
      case "merge":
        setDialog({ kind: id, question: q });
        return;
      case "edit":
        setEditing(q.id);
        return;
      case "star":
        void run(q, { type: "star", starred: !q.starred });
        return;
      case "up":
      case "down":
        void run(q, { type: "move", direction: id });
        return;
      default:
        void run(q, { type: id });
    }
  };

  const undo = async () => {
    if (!client) return;
    focusPending.current = true;
    report(await client.command("qa:undo", {}));
  };

  const move = (delta: number) => {
    if (!list.length) return;
    // From outside the list, the first key press goes to the selected question itself.
    const selectedEl = selected ? itemRefs.current.get(selected) : undefined;
    if (selectedEl && !selectedEl.contains(document.activeElement)) {
      selectedEl.focus();
      return;
    }
    const i = selected ? list.findIndex((q) => q.id === selected) : -1;
    // Nothing selected yet (a key pressed right after switching lists): enter at the first question.
    const next = i < 0 ? list[0] : list[Math.max(0, Math.min(list.length - 1, i + delta))];
    focusPending.current = true;
    setSelected(next.id);
    itemRefs.current.get(next.id)?.focus();
  };

  const switchTab = (t: Tab) => {
    setTab(t);
    lastIndex.current = 0;
    // A new list starts unfocused: J or ↓ then enters it at its first question.
    focusPending.current = false;
    setSelected(null);
  };

  // Shortcuts work anywhere on the page except while typing or in a dialog.
  const keyHandler = useRef<(e: KeyboardEvent) => void>(() => {});
  keyHandler.current = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.altKey || e.metaKey || e.ctrlKey) return;
    const target = e.target as HTMLElement;
    if (dialog || editing || target.closest("input, textarea, select, dialog")) return;
    const k = e.key;
    if (k === "j" || (k === "ArrowDown" && target.closest(".qa-mod-list"))) {
      e.preventDefault();
      move(1);
    } else if (k === "k" || (k === "ArrowUp" && target.closest(".qa-mod-list"))) {
      e.preventDefault();
      move(-1);
    } else if (k === "/") {
      e.preventDefault();
      searchRef.current?.focus();
    } else if (k === "u") {
      e.preventDefault();
      void undo();
    } else if (TABS.some((t) => t.key === k)) {
      e.preventDefault();
      switchTab(TABS.find((t) => t.key === k)!.id);
    } else {
      const q = current;
      const action = q ? ACTIONS.find((a) => a.key === k && a.when(q, q.id === onStage)) : undefined;
      if (action) {
        e.preventDefault();
        act(action.id, q);
      }
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => keyHandler.current(e);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);

  // Like every staff command: one key, resent after a reconnect, answered once.
  const configure = async (patch: { qaOpen?: boolean; qaMode?: "pre_moderated" | "open" }) => {
    if (client) report(await client.command("qa:configure", patch));
  };

  const counts = state.counts;
  const closeDialog = () => {
    setDialog(null);
    focusPending.current = true;
    if (selected) setTimeout(() => itemRefs.current.get(selected)?.focus(), 0);
  };

  return (
    <div className="qa-console" data-testid="moderation-console">
      <header>
        <p>
          <a href={`/sessions/${slug}`}>← Session page</a> · <a href={`/sessions/${slug}/panel`}>Panelist view</a> · <a href={`/sessions/${slug}/screen`}>Room screen</a>
        </p>
        <h1>Moderate: {title}</h1>
        {rule === "chatham_house" ? <p className="qa-rule">Chatham House Rule: askers are never identified, not even here.</p> : null}
        <p className="qa-connection" role="status" data-status={state.status} data-testid="qa-connection">
          {state.status === "refused" ? state.refusal : state.status === "live" ? "" : "Connecting… actions wait for the connection."}
        </p>
      </header>

      <section className="qa-controls" aria-label="Session Q&A settings">
        <fieldset>
          <legend>Mode</legend>
          <label>
            <input type="radio" name="qa-mode" checked={qa?.qaMode !== "open"} onChange={() => void configure({ qaMode: "pre_moderated" })} /> Pre-moderated
          </label>
          <label>
            <input type="radio" name="qa-mode" checked={qa?.qaMode === "open"} onChange={() => void configure({ qaMode: "open" })} /> Open
          </label>
        </fieldset>
        <button type="button" role="switch" aria-checked={Boolean(qa?.qaOpen)} className="secondary qa-switch" onClick={() => void configure({ qaOpen: !qa?.qaOpen })}>
          Q&amp;A open
        </button>
        <button
          type="button"
          role="switch"
          aria-checked={Boolean(qa?.intakePaused)}
          className="secondary qa-switch"
          onClick={async () => client && report(await client.command("qa:pause", { paused: !qa?.intakePaused }))}
        >
          Pause new questions
        </button>
        <button type="button" className="secondary" onClick={async () => client && report(await client.command("qa:interleave", {}))}>
          Interleave room and remote
        </button>
        <button type="button" className="secondary" onClick={() => void undo()} aria-keyshortcuts="u">
          Undo my last action <kbd>U</kbd>
        </button>
      </section>

      <section aria-label="Question counts">
        <ul className="qa-counts" data-testid="qa-counts">
          <li>
            Incoming <strong>{counts?.pending ?? 0}</strong>
          </li>
          <li>
            In the queue <strong>{counts?.approved ?? 0}</strong>
          </li>
          <li>
            Answered <strong>{counts?.answered ?? 0}</strong>
          </li>
          <li>
            Dismissed <strong>{counts?.dismissed ?? 0}</strong>
          </li>
          <li>
            From the room <strong>{counts?.room ?? 0}</strong>
          </li>
          <li>
            Remote <strong>{counts?.remote ?? 0}</strong>
          </li>
        </ul>
      </section>

      <p className={`qa-outcome${outcome.error ? " error" : ""}`} role="status" data-testid="qa-outcome">
        {outcome.text}
      </p>

      <div className="qa-tabs" role="tablist" aria-label="Question lists">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="qa-mod-panel"
            tabIndex={tab === t.id ? 0 : -1}
            aria-keyshortcuts={t.key}
            onClick={() => switchTab(t.id)}
            onKeyDown={(e) => {
              const i = TABS.findIndex((x) => x.id === tab);
              if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                e.preventDefault();
                const next = TABS[(i + (e.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length];
                switchTab(next.id);
                document.getElementById(`tab-${next.id}`)?.focus();
              }
            }}
          >
            {t.label} ({all.filter((q) => q.status === t.id).length}) <kbd>{t.key}</kbd>
          </button>
        ))}
      </div>

      <div id="qa-mod-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <div className="qa-filters">
          <label>
            <span>
              Search <kbd>/</kbd>
            </span>
            <input ref={searchRef} type="search" value={search} onChange={(e) => setSearch(e.target.value)} onKeyDown={(e) => e.key === "Escape" && (e.currentTarget.blur(), setSearch(""))} />
          </label>
          <label className="inline">
            <input type="checkbox" checked={starredOnly} onChange={(e) => setStarredOnly(e.target.checked)} /> Starred only
          </label>
          <label>
            From
            <select value={origin} onChange={(e) => setOrigin(e.target.value as typeof origin)}>
              <option value="all">Everyone</option>
              <option value="room">The room</option>
              <option value="remote">Remote</option>
            </select>
          </label>
          <label>
            Tag
            <select value={tag} onChange={(e) => setTag(e.target.value)}>
              <option value="">Any</option>
              {allTags.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
        </div>
        {list.length === 0 ? <p className="muted">No questions here{search || starredOnly || origin !== "all" || tag ? " with these filters" : ""}.</p> : null}
        <ol className="qa-mod-list" aria-label={`${TABS.find((t) => t.id === tab)!.label} questions`}>
          {list.map((q) => {
            const isSelected = q.id === selected;
            const staged = q.id === onStage;
            return (
              <li key={q.id}>
                <article
                  ref={(el) => {
                    if (el) itemRefs.current.set(q.id, el);
                    else itemRefs.current.delete(q.id);
                  }}
                  className={`qa-mod-item${staged ? " on-stage" : ""}`}
                  tabIndex={isSelected ? 0 : -1}
                  aria-current={isSelected ? "true" : undefined}
                  aria-labelledby={`q-${q.id}`}
                  data-question-id={q.id}
                  onFocus={(e) => e.target === e.currentTarget && setSelected(q.id)}
                  onClick={() => setSelected(q.id)}
                >
                  {editing === q.id ? (
                    <EditForm
                      q={q}
                      onCancel={() => {
                        setEditing(null);
                        setTimeout(() => itemRefs.current.get(q.id)?.focus(), 0);
                      }}
                      onSave={async (text) => {
                        setEditing(null);
                        await run(q, { type: "edit", text });
                        setTimeout(() => itemRefs.current.get(q.id)?.focus(), 0);
                      }}
                    />
                  ) : (
                    <p className="qa-text" id={`q-${q.id}`}>
                      {staged ? <span className="badge badge-live">On stage</span> : null} {q.text}
                    </p>
                  )}
                  <p className="qa-mod-meta">
                    <span>
                      {state.votes[q.id] ?? q.votes} vote{(state.votes[q.id] ?? q.votes) === 1 ? "" : "s"}
                    </span>
                    <span>{q.origin === "room" ? "From the room" : "Remote"}</span>
                    {rule === "on_record" ? <span>{authorLabel(q.author)}</span> : null}
                    {q.starred ? <span>★ Starred</span> : null}
                    {q.routedTo ? <span>For {q.routedTo.name}</span> : null}
                    {(q.tags ?? []).map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
                    {mergedCount.get(q.id) ? <span>+{mergedCount.get(q.id)} merged</span> : null}
                    {q.dismissReason && q.status === "dismissed" ? <span>Reason: {q.dismissReason}</span> : null}
                    {q.originalText ? <span>Edited; the asker wrote: “{truncate(q.originalText, 100)}”</span> : null}
                  </p>
                  <div className="qa-mod-actions" role="group" aria-label="Actions">
                    {ACTIONS.filter((a) => a.when(q, staged)).map((a) => (
                      <button
                        key={a.id}
                        type="button"
                        className={a.id === "approve" || a.id === "stage" || a.id === "answer" ? undefined : "secondary"}
                        aria-keyshortcuts={a.key}
                        onClick={() => {
                          setSelected(q.id);
                          act(a.id, q);
                        }}
                      >
                        {a.id === "star" && q.starred ? "Unstar" : a.label} <kbd aria-hidden="true">{a.shown}</kbd>
                      </button>
                    ))}
                  </div>
                </article>
              </li>
            );
          })}
        </ol>
      </div>

      <details className="qa-shortcuts" open>
        <summary>Keyboard shortcuts</summary>
        <dl>
          <dt>
            <kbd>J</kbd> / <kbd>K</kbd> or <kbd>↓</kbd> / <kbd>↑</kbd>
          </dt>
          <dd>Next / previous question</dd>
          <dt>
            <kbd>1</kbd>–<kbd>4</kbd>
          </dt>
          <dd>Incoming, panel queue, answered, dismissed</dd>
          <dt>
            <kbd>A</kbd> <kbd>D</kbd> <kbd>E</kbd> <kbd>S</kbd> <kbd>T</kbd>
          </dt>
          <dd>Approve, dismiss, edit, star, tags</dd>
          <dt>
            <kbd>R</kbd> <kbd>M</kbd> <kbd>P</kbd> <kbd>X</kbd> <kbd>O</kbd>
          </dt>
          <dd>Route to a panelist, merge, on/off stage, mark answered, restore or reopen</dd>
          <dt>
            <kbd>[</kbd> <kbd>]</kbd>
          </dt>
          <dd>Move up / down in the panel queue</dd>
          <dt>
            <kbd>U</kbd> <kbd>/</kbd>
          </dt>
          <dd>Undo your last action; search</dd>
        </dl>
      </details>

      {dialog ? (
        <ActionDialog
          dialog={dialog}
          all={all}
          panelists={state.panelists}
          onClose={closeDialog}
          onSubmit={async (action) => {
            const q = dialog.question;
            setDialog(null);
            await run(state.questions.get(q.id) ?? q, action);
            setTimeout(() => selected && itemRefs.current.get(selected)?.focus(), 0);
          }}
        />
      ) : null}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {spoken}
      </div>
    </div>
  );
}

function EditForm({ q, onCancel, onSave }: { q: QuestionView; onCancel: () => void; onSave: (text: string) => void }) {
  const [text, setText] = useState(q.text);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  const check = checkQuestionText(text);
  return (
    <form
      className="qa-edit"
      onSubmit={(e) => {
        e.preventDefault();
        if (check.ok) onSave(text);
      }}
    >
      <label htmlFor={`edit-${q.id}`}>Edit the question (the asker’s words are kept in the audit log)</label>
      <textarea
        id={`edit-${q.id}`}
        ref={ref}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-describedby={`edit-count-${q.id}`}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onCancel();
          }
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            if (check.ok) onSave(text);
          }
        }}
      />
      <p id={`edit-count-${q.id}`} className="qa-count">
        {check.length} of {QUESTION_MAX_CHARS} characters. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> saves, <kbd>Esc</kbd> cancels.
      </p>
      {!check.ok ? <p className="error">{check.message}</p> : null}
      <div className="qa-mod-actions">
        <button type="submit" disabled={!check.ok}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ActionDialog({
  dialog,
  all,
  panelists,
  onClose,
  onSubmit,
}: {
  dialog: { kind: DialogKind; question: QuestionView };
  all: QuestionView[];
  panelists: ReadonlyArray<{ id: string; name: string }>;
  onClose: () => void;
  onSubmit: (action: Record<string, unknown> & { type: string }) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const q = dialog.question;
  const [preset, setPreset] = useState<string>("");
  const [other, setOther] = useState("");
  const [tags, setTags] = useState((q.tags ?? []).join(", "));
  const [panelist, setPanelist] = useState<string>(q.routedTo?.id ?? "");
  const [find, setFind] = useState("");
  const [target, setTarget] = useState<string>("");
  // Without a search: the 8 most similar open questions. With one: every open question of the
  // session whose text matches, most similar first.
  const candidates = useMemo(() => {
    const pool = all.filter((x) => x.id !== q.id && (x.status === "pending" || x.status === "approved" || x.status === "answered"));
    const needle = foldForSearch(find.trim());
    if (!needle) return rankSimilar(q.text, pool, { min: 0, limit: 8 });
    const matches = pool.filter((x) => foldForSearch(x.text).includes(needle) || foldForSearch(x.originalText ?? "").includes(needle));
    const ranked = rankSimilar(q.text, matches, { min: 0, limit: matches.length });
    // Questions with no word in common with this one still match the search: after the ranked ones.
    const rankedIds = new Set(ranked.map((x) => x.id));
    return [...ranked, ...matches.filter((x) => !rankedIds.has(x.id)).map((x) => ({ ...x, score: 0 }))];
  }, [all, q, find]);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    // showModal focuses the dialog's first field (the merge search); the first choice is where the keyboard starts.
    d?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
  }, []);
  const titles: Record<DialogKind, string> = { dismiss: "Dismiss question", tags: "Private tags", route: "Route to a panelist", merge: "Merge into another question" };
  const reason = preset === "other" ? other.trim() : preset;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (dialog.kind === "dismiss" && reason) onSubmit({ type: "dismiss", reason });
    if (dialog.kind === "tags") onSubmit({ type: "tags", tags: tags.split(",").map((t) => t.trim()).filter(Boolean) });
    if (dialog.kind === "route") onSubmit({ type: "route", panelistId: panelist || null });
    if (dialog.kind === "merge" && target) onSubmit({ type: "merge", intoId: target });
  };

  return (
    <dialog
      ref={ref}
      className="qa-dialog"
      aria-labelledby="qa-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit}>
        <h2 id="qa-dialog-title">{titles[dialog.kind]}</h2>
        <p className="qa-text">“{truncate(q.text, 200)}”</p>
        {dialog.kind === "dismiss" ? (
          <fieldset>
            <legend>Reason the asker will see</legend>
            {DISMISS_PRESETS.map((p, i) => (
              <label key={p}>
                <input type="radio" name="reason" value={p} checked={preset === p} onChange={() => setPreset(p)} autoFocus={i === 0} /> {p}
              </label>
            ))}
            <label>
              <input type="radio" name="reason" value="other" checked={preset === "other"} onChange={() => setPreset("other")} /> Another reason:
            </label>
            <label>
              <span className="visually-hidden">Another reason</span>
              <input type="text" maxLength={200} value={other} onChange={(e) => (setOther(e.target.value), setPreset("other"))} aria-label="Another reason" />
            </label>
          </fieldset>
        ) : null}
        {dialog.kind === "tags" ? (
          <label>
            Tags, separated by commas (only moderators see them)
            <input type="text" value={tags} onChange={(e) => setTags(e.target.value)} autoFocus />
          </label>
        ) : null}
        {dialog.kind === "route" ? (
          <fieldset>
            <legend>Panelist</legend>
            <label>
              <input type="radio" name="panelist" checked={panelist === ""} onChange={() => setPanelist("")} autoFocus={!q.routedTo} /> Nobody in particular
            </label>
            {panelists.map((p) => (
              <label key={p.id}>
                <input type="radio" name="panelist" checked={panelist === p.id} onChange={() => setPanelist(p.id)} autoFocus={q.routedTo?.id === p.id} /> {p.name}
              </label>
            ))}
          </fieldset>
        ) : null}
        {dialog.kind === "merge" ? (
          <>
            <label className="qa-merge-search">
              Search all open questions of this session
              <input
                type="search"
                value={find}
                onChange={(e) => {
                  setFind(e.target.value);
                  setTarget("");
                }}
                aria-describedby="qa-merge-found"
              />
            </label>
            <p id="qa-merge-found" className="muted" role="status">
              {find.trim()
                ? `${candidates.length === 1 ? "1 question matches" : `${candidates.length} questions match`} “${truncate(find.trim(), 40)}”.`
                : "The most similar questions; search to find any other."}
            </p>
            {candidates.length ? (
              <fieldset className="qa-merge-candidates">
                <legend>Keep this question (most similar first); its votes are combined</legend>
                {candidates.map((c, i) => (
                  <label key={c.id}>
                    <input type="radio" name="merge-target" checked={target === c.id} onChange={() => setTarget(c.id)} autoFocus={i === 0 && !find} data-autofocus={i === 0 && !find ? "" : undefined} /> {truncate(c.text, 120)} ({statusWord(c.status)}, {c.votes}{" "}
                    vote{c.votes === 1 ? "" : "s"})
                  </label>
                ))}
              </fieldset>
            ) : (
              <p>{find.trim() ? "No open question matches this search." : "There is no other question to merge into."}</p>
            )}
          </>
        ) : null}
        <div className="buttons">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={(dialog.kind === "dismiss" && !reason) || (dialog.kind === "merge" && !target)}>
            {dialog.kind === "dismiss" ? "Dismiss" : dialog.kind === "merge" ? "Merge" : "Save"}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Case and accents do not matter when searching. */
function foldForSearch(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
}

function statusWord(s: QuestionStatus): string {
  return s === "pending" ? "incoming" : s === "approved" ? "in the queue" : s;
}
