"use client";
import type { QuestionView } from "@/lib/qa";
import type { ActionId } from "./moderation-actions";
import { ModerationCard } from "./moderation-card";

export interface ModerationListProps {
  label: string;
  questions: readonly QuestionView[];
  selected: string | null;
  onStage: string | null;
  editing: string | null;
  votes: Readonly<Record<string, number>>;
  mergedCount: ReadonlyMap<string, number>;
  rule: "chatham_house" | "on_record";
  itemRefs: Map<string, HTMLElement>;
  onSelect: (id: string) => void;
  onAct: (id: ActionId, q: QuestionView) => void;
  onSaveEdit: (text: string) => void;
  onCancelEdit: () => void;
}

/** One list of the console (incoming, panel queue...): a roving tab stop on the selected question. */
export function ModerationList(p: ModerationListProps) {
  return (
    <ol className="qa-mod-list" aria-label={p.label}>
      {p.questions.map((q) => (
        <li key={q.id}>
          <ModerationCard
            q={q}
            selected={q.id === p.selected}
            staged={q.id === p.onStage}
            votes={p.votes[q.id] ?? q.votes}
            mergedCount={p.mergedCount.get(q.id) ?? 0}
            rule={p.rule}
            editing={p.editing === q.id}
            itemRef={(el) => {
              if (el) p.itemRefs.set(q.id, el);
              else p.itemRefs.delete(q.id);
            }}
            onSelect={() => p.onSelect(q.id)}
            onAct={p.onAct}
            onSaveEdit={p.onSaveEdit}
            onCancelEdit={p.onCancelEdit}
          />
        </li>
      ))}
    </ol>
  );
}
