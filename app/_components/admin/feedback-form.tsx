"use client";
import { useState } from "react";
import type { FeedbackForm } from "@/lib/admin";
import { api } from "../admin-api";

const RATINGS = [
  [1, "1 — poor"],
  [2, "2"],
  [3, "3"],
  [4, "4"],
  [5, "5 — excellent"],
] as const;

/** The session survey: a 1–5 rating, an optional comment, the event's extra questions. */
export function FeedbackFormView({ form }: { form: FeedbackForm }) {
  const [state, setState] = useState(form.state);
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [sending, setSending] = useState(false);

  if (state === "answered") return <p role="status">Thank you: your feedback on this session is in.</p>;
  if (state === "not_yet") return <p>The survey opens when the session ends. Come back then.</p>;
  if (state === "none") return <p>This part of the programme has no feedback survey.</p>;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (rating === null) {
      setMessage({ text: "Choose a rating from 1 to 5.", error: true });
      return;
    }
    setSending(true);
    try {
      await api(`/api/sessions/${form.slug}/feedback`, "POST", { rating, comment: comment || undefined, answers });
      setState("answered");
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "conflict" && /already/.test((err as Error).message)) setState("answered");
      else setMessage({ text: (err as Error).message, error: true });
    } finally {
      setSending(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>
        Your answer is stored without your name, e-mail or device{form.chathamHouse ? ", as the Chatham House Rule requires" : ""}. Every field but the rating
        is optional.
      </p>
      <fieldset>
        <legend>How useful was this session to you?</legend>
        {RATINGS.map(([value, label]) => (
          <label key={value} className="radio">
            <input type="radio" name="rating" value={value} checked={rating === value} onChange={() => setRating(value)} /> {label}
          </label>
        ))}
      </fieldset>
      <label htmlFor="feedback-comment">Comment (optional)</label>
      <textarea id="feedback-comment" maxLength={1000} rows={4} value={comment} onChange={(e) => setComment(e.target.value)} />
      {form.questions.map((q) => (
        <div key={q.id}>
          <label htmlFor={`feedback-q-${q.id}`}>{q.text} (optional)</label>
          <textarea
            id={`feedback-q-${q.id}`}
            maxLength={500}
            rows={2}
            value={answers[q.id] ?? ""}
            onChange={(e) => setAnswers((a) => ({ ...a, [q.id]: e.target.value }))}
          />
        </div>
      ))}
      <p role="status" className={message?.error ? "error" : undefined}>
        {message?.text ?? ""}
      </p>
      <button type="submit" disabled={sending}>
        {sending ? "Sending…" : "Send feedback"}
      </button>
    </form>
  );
}
