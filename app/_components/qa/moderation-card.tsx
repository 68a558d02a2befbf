"use client";
import { authorLabel, truncate, type QuestionView } from "@/lib/qa";
import { offeredActions, type ActionId } from "./moderation-actions";
import { EditForm } from "./moderation-edit-form";

export interface ModerationCardProps {
  q: QuestionView;
  selected: boolean;
  staged: boolean;
  votes: number;
  mergedCount: number;
  rule: "chatham_house" | "on_record";
  editing: boolean;
  itemRef: (el: HTMLElement | null) => void;
  onSelect: () => void;
  /** `q` is the question as this card shows it: the version the action carries. */
  onAct: (id: ActionId, q: QuestionView) => void;
  onSaveEdit: (text: string) => void;
  onCancelEdit: () => void;
}

/** One question in a moderation list: its text (or the edit form), what is known about it, and the actions the rules allow. */
export function ModerationCard({
  q,
  selected,
  staged,
  votes,
  mergedCount,
  rule,
  editing,
  itemRef,
  onSelect,
  onAct,
  onSaveEdit,
  onCancelEdit,
}: ModerationCardProps) {
  return (
    <article
      ref={itemRef}
      className={`qa-mod-item${staged ? " on-stage" : ""}`}
      tabIndex={selected ? 0 : -1}
      aria-current={selected ? "true" : undefined}
      aria-labelledby={`q-${q.id}`}
      data-question-id={q.id}
      data-version={q.version}
      onFocus={(e) => e.target === e.currentTarget && onSelect()}
      onClick={onSelect}
    >
      {editing ? (
        <EditForm q={q} onCancel={onCancelEdit} onSave={onSaveEdit} />
      ) : (
        <p className="qa-text" id={`q-${q.id}`}>
          {staged ? <span className="badge badge-live">On stage</span> : null} {q.text}
        </p>
      )}
      <p className="qa-mod-meta">
        <span>
          {votes} vote{votes === 1 ? "" : "s"}
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
        {mergedCount ? <span>+{mergedCount} merged</span> : null}
        {q.dismissReason && q.status === "dismissed" ? <span>Reason: {q.dismissReason}</span> : null}
        {q.originalText ? <span>Edited; the asker wrote: “{truncate(q.originalText, 100)}”</span> : null}
      </p>
      <div className="qa-mod-actions" role="group" aria-label="Actions">
        {offeredActions(q, staged).map((a) => (
          <button
            key={a.id}
            type="button"
            className={a.id === "approve" || a.id === "stage" || a.id === "answer" ? undefined : "secondary"}
            aria-keyshortcuts={a.key}
            onClick={() => {
              onSelect();
              onAct(a.id, q);
            }}
          >
            {a.id === "star" && q.starred ? "Unstar" : a.label} <kbd aria-hidden="true">{a.shown}</kbd>
          </button>
        ))}
      </div>
    </article>
  );
}
