"use client";
import type { RefObject } from "react";
import type { QaCounts, QaState } from "@/lib/qa";
import type { Filters } from "./moderation-state";

/** The session's Q&A switches (mode, open, pause), interleave and undo. */
export function QaSettings({
  qa,
  onConfigure,
  onPause,
  onInterleave,
  onUndo,
}: {
  qa: QaState | null;
  onConfigure: (patch: { qaOpen?: boolean; qaMode?: "pre_moderated" | "open" }) => void;
  onPause: () => void;
  onInterleave: () => void;
  onUndo: () => void;
}) {
  // Until the session's settings have loaded, its mode and switches show nothing and take no clicks:
  // a default shown as the state would be a claim, and a click on it could flip the real one.
  const unknown = !qa;
  return (
    <section className="qa-controls" aria-label="Session Q&A settings">
      <fieldset disabled={unknown}>
        <legend>Mode</legend>
        <label>
          <input type="radio" name="qa-mode" checked={qa?.qaMode === "pre_moderated"} onChange={() => onConfigure({ qaMode: "pre_moderated" })} /> Pre-moderated
        </label>
        <label>
          <input type="radio" name="qa-mode" checked={qa?.qaMode === "open"} onChange={() => onConfigure({ qaMode: "open" })} /> Open
        </label>
      </fieldset>
      <button
        type="button"
        role="switch"
        aria-checked={Boolean(qa?.qaOpen)}
        className="secondary qa-switch"
        disabled={unknown}
        onClick={() => onConfigure({ qaOpen: !qa?.qaOpen })}
      >
        Q&amp;A open
      </button>
      <button type="button" role="switch" aria-checked={Boolean(qa?.intakePaused)} className="secondary qa-switch" disabled={unknown} onClick={onPause}>
        Pause new questions
      </button>
      <button type="button" className="secondary" onClick={onInterleave}>
        Interleave room and remote
      </button>
      <button type="button" className="secondary" onClick={onUndo} aria-keyshortcuts="u">
        Undo my last action <kbd>U</kbd>
      </button>
    </section>
  );
}

const COUNTS: ReadonlyArray<[keyof QaCounts, string]> = [
  ["pending", "Incoming"],
  ["approved", "In the queue"],
  ["answered", "Answered"],
  ["dismissed", "Dismissed"],
  ["room", "From the room"],
  ["remote", "Remote"],
];

/** The session's counts; a dash for each until they have loaded (a zero would be a claim). */
export function QaCountList({ counts }: { counts: QaCounts | null }) {
  return (
    <section aria-label="Question counts">
      <ul className="qa-counts" data-testid="qa-counts">
        {COUNTS.map(([k, label]) => (
          <li key={k}>
            {label} <strong>{counts ? counts[k] : "–"}</strong>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function QaFilters({
  filters,
  tags,
  searchRef,
  onChange,
}: {
  filters: Filters;
  tags: readonly string[];
  searchRef: RefObject<HTMLInputElement | null>;
  onChange: (patch: Partial<Filters>) => void;
}) {
  return (
    <div className="qa-filters">
      <label>
        <span>
          Search <kbd>/</kbd>
        </span>
        <input
          ref={searchRef}
          type="search"
          value={filters.search}
          onChange={(e) => onChange({ search: e.target.value })}
          onKeyDown={(e) => e.key === "Escape" && (e.currentTarget.blur(), onChange({ search: "" }))}
        />
      </label>
      <label className="inline">
        <input type="checkbox" checked={filters.starredOnly} onChange={(e) => onChange({ starredOnly: e.target.checked })} /> Starred only
      </label>
      <label>
        From
        <select
          value={filters.origin}
          onChange={(e) => onChange({ origin: e.target.value === "room" || e.target.value === "remote" ? e.target.value : "all" })}
        >
          <option value="all">Everyone</option>
          <option value="room">The room</option>
          <option value="remote">Remote</option>
        </select>
      </label>
      <label>
        Tag
        <select value={filters.tag} onChange={(e) => onChange({ tag: e.target.value })}>
          <option value="">Any</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

export function ShortcutHelp() {
  return (
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
        <dt>
          <kbd>Tab</kbd> to <strong>More ▾</strong>
        </dt>
        <dd>
          The other actions of a question: <kbd>↓</kbd> opens, <kbd>Enter</kbd> chooses, <kbd>Esc</kbd> closes
        </dd>
      </dl>
    </details>
  );
}
