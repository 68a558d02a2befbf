"use client";
import { useCallback, useEffect, useMemo, useReducer, useRef, type ReactNode } from "react";
import { CaptionFeedPanel } from "../captions/caption-feed-panel";
import type { ModerationResult, QuestionView } from "@/lib/qa";
import type { AckResult } from "@/lib/realtime/contract";
import type { ModerationAction } from "@/lib/schemas/qa";
import { isConflict, type QaNotice } from "@/lib/client/qa-client";
import { directAction, isDialog, offers, ACTIONS, outcomeOf, type ActionId } from "./moderation-actions";
import { QaCountList, QaFilters, QaSettings, ShortcutHelp } from "./moderation-controls";
import { ActionDialog } from "./moderation-dialog";
import { ModerationList } from "./moderation-list";
import { EmptyQuestions } from "./qa-empty";
import { TABS, hasFilters, initialUi, listed, reduceUi, type Tab } from "./moderation-state";
import { useModerationKeys, type KeyCommand } from "./use-moderation-keys";
import { useAnnouncer, useQa } from "./use-qa";
import "./qa.css";

export interface ModerationConsoleProps {
  slug: string;
  /** Extra staff tools in the side column (the notes to the panel). */
  aside?: ReactNode;
  title: string;
  rule: "chatham_house" | "on_record";
}

/** The moderators' triage console: keyboard first, live, every action versioned and undoable. */
export function ModerationConsole({ slug, title, rule, aside }: ModerationConsoleProps) {
  const [spoken, announce] = useAnnouncer();
  const onNotice = useCallback(
    (n: QaNotice) => {
      if (n.kind === "question-added" && n.question.status === "pending") announce("A new question is waiting for review.");
    },
    [announce],
  );
  const { client, state } = useQa(slug, { view: "staff", onNotice });
  const [ui, dispatch] = useReducer(reduceUi, initialUi);
  const { tab, selected } = ui;
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
  const list = useMemo(() => listed(all, tab, ui.filters), [all, tab, ui.filters]);

  // Keep a selection in the list: when the selected question leaves this view, take its neighbour.
  const lastIndex = useRef(0);
  useEffect(() => {
    const i = selected ? list.findIndex((q) => q.id === selected) : -1;
    if (i >= 0) {
      lastIndex.current = i;
      return;
    }
    const next = list[Math.min(lastIndex.current, list.length - 1)]?.id ?? null;
    if (next !== selected) dispatch({ type: "select", id: next });
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
  const focusLater = (id: string | null) => setTimeout(() => id && itemRefs.current.get(id)?.focus(), 0);

  const report = (r: AckResult<ModerationResult>) => {
    dispatch({ type: "outcome", outcome: outcomeOf(r) });
    // Refused on a stale view: the server sent the question as it is now (the engine shows it); if it did not, load it.
    if (!r.ok && isConflict(r.error.code) && r.error.current === undefined) void client?.resync();
  };

  /** `q` is the question as the moderator saw it when deciding: its version goes with the command. */
  const run = async (q: QuestionView, action: ModerationAction) => {
    if (!client) return;
    focusPending.current = true;
    report(await client.moderate(q.id, q.version, action));
  };

  const act = (id: ActionId, q: QuestionView | null) => {
    if (!q || !ACTIONS.some((a) => a.id === id && offers(a, q, q.id === onStage))) return;
    if (isDialog(id)) dispatch({ type: "dialog", dialog: { kind: id, question: q } });
    else if (id === "edit") dispatch({ type: "edit", question: q });
    else void run(q, directAction(id, q));
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
    dispatch({ type: "select", id: next.id });
    itemRefs.current.get(next.id)?.focus();
  };

  const switchTab = (t: Tab) => {
    lastIndex.current = 0;
    focusPending.current = false;
    dispatch({ type: "tab", tab: t });
  };

  useModerationKeys({ busy: Boolean(ui.dialog || ui.editing), current, onStage }, (c: KeyCommand) => {
    if (c.kind === "move") move(c.delta);
    else if (c.kind === "search") searchRef.current?.focus();
    else if (c.kind === "undo") void undo();
    else if (c.kind === "tab") switchTab(c.tab);
    else act(c.id, current);
  });

  const closeDialog = () => {
    dispatch({ type: "dialog", dialog: null });
    focusPending.current = true;
    focusLater(selected);
  };
  const { editing, outcome, dialog } = ui;

  return (
    <div className="qa-console" data-testid="moderation-console">
      <header className="qa-console-head">
        <h1>Moderate: {title}</h1>
        <p className="qa-console-links">
          <a href={`/sessions/${slug}`}>← Session page</a> · <a href={`/sessions/${slug}/panel`}>Panelist view</a> ·{" "}
          <a href={`/sessions/${slug}/screen`}>Room screen</a>
        </p>
        {rule === "chatham_house" ? <p className="qa-rule">Chatham House Rule: askers are never identified, not even here.</p> : null}
        <p className="qa-connection floating" role="status" data-status={state.status} data-testid="qa-connection">
          {state.status === "refused" ? state.refusal : state.status === "live" ? "" : "Connecting… actions wait for the connection."}
        </p>
        {/* The outcome of the last action, beside the title: the list keeps the height. */}
        <p className={`qa-outcome${outcome.error ? " error" : ""}`} role="status" data-testid="qa-outcome">
          {outcome.text}
        </p>
      </header>

      <QaSettings
        qa={qa}
        // Like every staff command: one key, resent after a reconnect, answered once.
        onConfigure={async (patch) => client && report(await client.command("qa:configure", patch))}
        onPause={async () => client && report(await client.command("qa:pause", { paused: !qa?.intakePaused }))}
        onInterleave={async () => client && report(await client.command("qa:interleave", {}))}
        onUndo={() => void undo()}
      />

      <div className="qa-console-grid">
        <div className="qa-console-queue">
          <div className="qa-queue-bar">
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
                  {t.label}
                  {state.view ? ` (${all.filter((q) => q.status === t.id).length})` : ""} <kbd>{t.key}</kbd>
                </button>
              ))}
            </div>
            <QaFilters filters={ui.filters} tags={allTags} searchRef={searchRef} onChange={(patch) => dispatch({ type: "filter", patch })} />
          </div>

          <div id="qa-mod-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
            {list.length === 0 ? (
              <EmptyQuestions state={state} className="muted">
                No questions here{hasFilters(ui.filters) ? " with these filters" : ""}.
              </EmptyQuestions>
            ) : null}
            <ModerationList
              label={`${TABS.find((t) => t.id === tab)!.label} questions`}
              questions={list}
              selected={selected}
              onStage={onStage}
              editing={editing?.id ?? null}
              votes={state.votes}
              mergedCount={mergedCount}
              rule={rule}
              itemRefs={itemRefs.current}
              onSelect={(id) => dispatch({ type: "select", id })}
              onAct={act}
              onCancelEdit={() => {
                dispatch({ type: "edit", question: null });
                focusLater(editing?.id ?? null);
              }}
              onSaveEdit={async (text) => {
                if (!editing) return;
                dispatch({ type: "edit", question: null });
                // The version from when editing started: an edit over someone else's change is refused.
                await run(editing, { type: "edit", text });
                focusLater(editing.id);
              }}
            />
          </div>
        </div>

        <aside className="qa-console-side" aria-label="Counts, shortcuts and notes to the panel">
          <QaCountList counts={state.counts} />
          {aside}
          <ShortcutHelp />
          {/* Last: it appears once the server says this person runs the captions, below everything. */}
          <CaptionFeedPanel slug={slug} />
        </aside>
      </div>

      {dialog ? (
        <ActionDialog
          dialog={dialog}
          all={all}
          panelists={state.panelists}
          onClose={closeDialog}
          onSubmit={async (action) => {
            // The question as it was when the dialog opened, not as it is now: the moderator decided on that one.
            const q = dialog.question;
            dispatch({ type: "dialog", dialog: null });
            await run(q, action);
            focusLater(selected);
          }}
        />
      ) : null}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {spoken}
      </div>
    </div>
  );
}
