"use client";
import { useState } from "react";
import { FEEDBACK_LIMITS, type FeedbackQuestion } from "@/lib/admin";
import { api } from "../admin-api";

/** The organizer's up to three extra questions, asked after every session with a survey. */
export function FeedbackQuestionsEditor({ initial }: { initial: FeedbackQuestion[] }) {
  const [texts, setTexts] = useState<string[]>(() => Array.from({ length: FEEDBACK_LIMITS.questions }, (_, i) => initial[i]?.text ?? ""));
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    try {
      const { questions } = await api<{ questions: FeedbackQuestion[] }>("/api/admin/feedback-questions", "POST", {
        questions: texts.map((t) => t.trim()).filter(Boolean),
      });
      setMessage({ text: `Saved: ${questions.length} extra question${questions.length === 1 ? "" : "s"}.`, error: false });
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    }
  }

  return (
    <form onSubmit={save}>
      {texts.map((t, i) => (
        <div key={i}>
          <label htmlFor={`fq-${i}`}>Extra question {i + 1} (optional)</label>
          <input
            id={`fq-${i}`}
            type="text"
            maxLength={FEEDBACK_LIMITS.question}
            value={t}
            onChange={(e) => setTexts((all) => all.map((x, j) => (j === i ? e.target.value : x)))}
          />
        </div>
      ))}
      <p role="status" className={message?.error ? "error" : "success"}>
        {message?.text ?? ""}
      </p>
      <button type="submit">Save questions</button>
    </form>
  );
}
