"use client";
import { useEffect, useMemo, useRef, useState } from "react";
import { rankSimilar } from "@/lib/qa-similarity";
import { DISMISS_PRESETS, truncate, type QuestionStatus, type QuestionView } from "@/lib/qa";
import type { ModerationAction } from "@/lib/schemas/qa";
import type { DialogKind } from "./moderation-actions";
import type { OpenDialog } from "./moderation-state";

/**
 * The dialogs of the actions that need a choice: dismiss (a reason), tags, route (a panelist) and
 * merge (the question to keep). Each opens with a sensible choice made, so Enter confirms it.
 */
export function ActionDialog({
  dialog,
  all,
  panelists,
  onClose,
  onSubmit,
}: {
  dialog: OpenDialog;
  all: QuestionView[];
  panelists: ReadonlyArray<{ id: string; name: string }>;
  onClose: () => void;
  onSubmit: (action: ModerationAction) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const q = dialog.question;
  const [preset, setPreset] = useState<string>(DISMISS_PRESETS[0]);
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
  const titles: Record<DialogKind, string> = {
    dismiss: "Dismiss question",
    tags: "Private tags",
    route: "Route to a panelist",
    merge: "Merge into another question",
  };
  const reason = preset === "other" ? other.trim() : preset;
  // The chosen question to keep, else the most similar (or first matching) one.
  const chosen = candidates.some((c) => c.id === target) ? target : (candidates[0]?.id ?? "");

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (dialog.kind === "dismiss" && reason) onSubmit({ type: "dismiss", reason });
    if (dialog.kind === "tags")
      onSubmit({
        type: "tags",
        tags: tags
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      });
    if (dialog.kind === "route") onSubmit({ type: "route", panelistId: panelist || null });
    if (dialog.kind === "merge" && chosen) onSubmit({ type: "merge", intoId: chosen });
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
                <input type="radio" name="panelist" checked={panelist === p.id} onChange={() => setPanelist(p.id)} autoFocus={q.routedTo?.id === p.id} />{" "}
                {p.name}
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
                    <input
                      type="radio"
                      name="merge-target"
                      checked={chosen === c.id}
                      onChange={() => setTarget(c.id)}
                      autoFocus={i === 0 && !find}
                      data-autofocus={i === 0 && !find ? "" : undefined}
                    />{" "}
                    {truncate(c.text, 120)} ({statusWord(c.status)}, {c.votes} vote{c.votes === 1 ? "" : "s"})
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
          <button type="submit" disabled={(dialog.kind === "dismiss" && !reason) || (dialog.kind === "merge" && !chosen)}>
            {dialog.kind === "dismiss" ? "Dismiss" : dialog.kind === "merge" ? "Merge" : "Save"}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Case and accents do not matter when searching. */
function foldForSearch(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

function statusWord(s: QuestionStatus): string {
  return s === "pending" ? "incoming" : s === "approved" ? "in the queue" : s;
}
