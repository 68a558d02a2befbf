"use client";
import { useEffect, useState } from "react";
import type { FeedbackForm } from "@/lib/admin";

/** How often a page waiting for its session to end asks whether the survey is open. */
const CHECK_MS = 60_000;

/**
 * On a session's page: once the session ends, an invitation to its short, anonymous feedback survey.
 * The server decides when it opens and whether this person may (and already did) answer.
 */
export function FeedbackPrompt({ slug }: { slug: string }) {
  const [state, setState] = useState<FeedbackForm["state"] | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const check = async () => {
      const res = await fetch(`/api/sessions/${slug}/feedback`, { cache: "no-store" }).catch(() => null);
      if (stopped) return;
      const form = res?.ok ? ((await res.json()) as FeedbackForm) : null;
      setState(form?.state ?? null);
      if (!form || form.state === "not_yet") timer = setTimeout(check, CHECK_MS);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [slug]);
  if (state !== "open") return null;
  return (
    <aside aria-labelledby="feedback-invite" className="card">
      <h2 id="feedback-invite">How was this session?</h2>
      <p>
        A rating and, if you like, a comment: it takes a minute and is anonymous. <a href={`/sessions/${slug}/feedback`}>Give feedback</a>
      </p>
    </aside>
  );
}
