/**
 * The moderation console's UI state in one reducer: which list and filters, which question is
 * selected, what is being edited or decided in a dialog, and the outcome of the last command.
 * A dialog and the edit form hold the question as it was when the moderator opened them: the command
 * carries that version, so a decision made on a view someone else has since changed is refused.
 */
import type { QuestionView } from "@/lib/qa";
import type { DialogKind, Outcome } from "./moderation-actions";

export type Tab = "pending" | "approved" | "answered" | "dismissed";
export const TABS: ReadonlyArray<{ id: Tab; label: string; key: string }> = [
  { id: "pending", label: "Incoming", key: "1" },
  { id: "approved", label: "Panel queue", key: "2" },
  { id: "answered", label: "Answered", key: "3" },
  { id: "dismissed", label: "Dismissed", key: "4" },
];

export interface Filters {
  search: string;
  starredOnly: boolean;
  origin: "all" | "room" | "remote";
  tag: string;
}

export interface OpenDialog {
  kind: DialogKind;
  /** The question as the moderator saw it when opening the dialog. */
  question: QuestionView;
}

export interface ConsoleUi {
  tab: Tab;
  filters: Filters;
  selected: string | null;
  /** The question being edited, as it was when editing started. */
  editing: QuestionView | null;
  dialog: OpenDialog | null;
  outcome: Outcome;
}

export type UiAction =
  | { type: "tab"; tab: Tab }
  | { type: "filter"; patch: Partial<Filters> }
  | { type: "select"; id: string | null }
  | { type: "edit"; question: QuestionView | null }
  | { type: "dialog"; dialog: OpenDialog | null }
  | { type: "outcome"; outcome: Outcome };

export const initialUi: ConsoleUi = {
  tab: "pending",
  filters: { search: "", starredOnly: false, origin: "all", tag: "" },
  selected: null,
  editing: null,
  dialog: null,
  outcome: { text: "", error: false },
};

export function reduceUi(ui: ConsoleUi, a: UiAction): ConsoleUi {
  switch (a.type) {
    case "tab":
      // A new list starts with nothing selected: J or ↓ then enters it at its first question.
      return { ...ui, tab: a.tab, selected: null };
    case "filter":
      return { ...ui, filters: { ...ui.filters, ...a.patch } };
    case "select":
      return ui.selected === a.id ? ui : { ...ui, selected: a.id };
    case "edit":
      return { ...ui, editing: a.question };
    case "dialog":
      return { ...ui, dialog: a.dialog };
    case "outcome":
      return { ...ui, outcome: a.outcome };
  }
}

export function hasFilters(f: Filters): boolean {
  return Boolean(f.search || f.starredOnly || f.origin !== "all" || f.tag);
}

const ORDER: Record<Tab, (a: QuestionView, b: QuestionView) => number> = {
  pending: (a, b) => a.createdAt.localeCompare(b.createdAt),
  approved: (a, b) => (a.panelOrder ?? 0) - (b.panelOrder ?? 0) || a.createdAt.localeCompare(b.createdAt),
  answered: (a, b) => (b.answeredAt ?? "").localeCompare(a.answeredAt ?? ""),
  dismissed: (a, b) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""),
};

/** The questions of one list that pass the filters, in that list's order. */
export function listed(all: readonly QuestionView[], tab: Tab, f: Filters): QuestionView[] {
  const needle = f.search.trim().toLowerCase();
  return all
    .filter(
      (q) =>
        q.status === tab &&
        (!needle || q.text.toLowerCase().includes(needle) || (q.originalText ?? "").toLowerCase().includes(needle)) &&
        (!f.starredOnly || q.starred) &&
        (f.origin === "all" || q.origin === f.origin) &&
        (!f.tag || (q.tags ?? []).includes(f.tag)),
    )
    .sort(ORDER[tab]);
}
