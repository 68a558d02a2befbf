"use client";
import { useEffect, useRef, useState } from "react";
import { QUESTION_MAX_CHARS, checkQuestionText, type QuestionView } from "@/lib/qa";

/** Editing a question's text in place; the asker's words stay in the audit log. */
export function EditForm({ q, onCancel, onSave }: { q: QuestionView; onCancel: () => void; onSave: (text: string) => void }) {
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
