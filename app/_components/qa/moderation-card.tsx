"use client";
import { authorLabel, truncate, type QuestionView } from "@/lib/qa";
import { splitActions, type ActionId } from "./moderation-actions";
import { ActionMenu } from "./moderation-menu";
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
  const { primary, more } = splitActions(q, staged);
  const act = (id: ActionId) => {
    onSelect();
    onAct(id, q);
  };
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
      <p className="qa-mod-facts">
        <strong className="qa-mod-votes">
          {votes} <span>vote{votes === 1 ? "" : "s"}</span>
        </strong>
        <span>
          {q.origin === "room" ? "Room" : "Remote"} · {staged ? <span className="badge badge-live">On stage</span> : STATUS_WORDS[q.status]}
        </span>
      </p>
      <div className="qa-mod-body">
        {editing ? (
          <EditForm q={q} onCancel={onCancelEdit} onSave={onSaveEdit} />
        ) : (
          <p className="qa-text" id={`q-${q.id}`}>
            {q.text}
          </p>
        )}
        {extras(q, rule, mergedCount).length ? (
          <p className="qa-mod-meta">
            {extras(q, rule, mergedCount).map((x) => (
              <span key={x.key} className={x.tag ? "tag" : undefined}>
                {x.text}
              </span>
            ))}
          </p>
        ) : null}
      </div>
      <div className="qa-mod-actions" role="group" aria-label="Actions">
        {primary.map((a) => (
          <button
            key={a.id}
            type="button"
            className={a.id === "approve" || a.id === "stage" || a.id === "answer" ? undefined : "secondary"}
            aria-keyshortcuts={a.key}
            onClick={() => act(a.id)}
          >
            {a.label} <kbd aria-hidden="true">{a.shown}</kbd>
          </button>
        ))}
        <ActionMenu q={q} actions={more} onAct={act} />
      </div>
    </article>
  );
}

const STATUS_WORDS: Record<QuestionView["status"], string> = {
  pending: "Incoming",
  approved: "In queue",
  answered: "Answered",
  dismissed: "Dismissed",
  merged: "Merged",
};

/** The facts a card shows only when there are any: author (on the record), star, routing, tags, merges, reason, edit. */
function extras(q: QuestionView, rule: "chatham_house" | "on_record", mergedCount: number): Array<{ key: string; text: string; tag?: boolean }> {
  const out: Array<{ key: string; text: string; tag?: boolean }> = [];
  // Anonymous is the common case: only a named asker takes a line.
  if (rule === "on_record" && q.author) out.push({ key: "author", text: authorLabel(q.author) });
  if (q.starred) out.push({ key: "star", text: "★ Starred" });
  if (q.routedTo) out.push({ key: "route", text: `For ${q.routedTo.name}` });
  for (const t of q.tags ?? []) out.push({ key: `tag-${t}`, text: t, tag: true });
  if (mergedCount) out.push({ key: "merged", text: `+${mergedCount} merged` });
  if (q.dismissReason && q.status === "dismissed") out.push({ key: "reason", text: `Reason: ${q.dismissReason}` });
  if (q.originalText) out.push({ key: "edited", text: `Edited; the asker wrote: “${truncate(q.originalText, 100)}”` });
  return out;
}
