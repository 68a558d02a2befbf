import type { ReactNode } from "react";
import type { useQa } from "./use-qa";

/**
 * What an empty list of questions says. Its own words only once the view has loaded: before that
 * nothing is known, so it says the questions are loading, or nothing while a refusal is shown.
 */
export function EmptyQuestions({ state, className, children }: { state: ReturnType<typeof useQa>["state"]; className?: string; children: ReactNode }) {
  if (state.view) return <p className={className}>{children}</p>;
  if (state.status === "refused") return null;
  return <p className={className}>Loading questions…</p>;
}
