"use client";
import { useEffect, useRef, useState } from "react";
import type { DeskPerson } from "@/lib/checkin";
import { formatClock } from "@/lib/time";
import { request } from "@/lib/client/request";
import { getSocket } from "../realtime";
import styles from "./check-in.module.css";

const SEARCH_DELAY_MS = 150;

/** Search as one types (name, e-mail or affiliation); one tap on a row checks that person in. */
export function DeskSearch({
  timeZone,
  onCheckIn,
  checkedIn,
}: {
  timeZone: string;
  onCheckIn: (person: DeskPerson) => void;
  /** Check-ins since the desk opened, here or at another desk (their rows change without searching again). */
  checkedIn: Record<string, string>;
}) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<DeskPerson[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asked = useRef(0);

  useEffect(() => {
    const q = query.trim();
    const mine = ++asked.current;
    if (q.length < 2) return;
    const timer = setTimeout(() => {
      void request(getSocket(), "checkin:search", { query: q }).then((r) => {
        if (mine !== asked.current) return; // a newer search is under way
        if (r.ok) {
          setResults(r.data);
          setError(null);
        } else setError(r.error.message);
      });
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query]);

  const shown = query.trim().length < 2 ? null : results?.map((p) => (checkedIn[p.userId] && !p.checkedInAt ? { ...p, checkedInAt: checkedIn[p.userId] } : p));

  return (
    <section aria-labelledby="search-heading" className={styles.panel}>
      <h2 id="search-heading">Find a participant</h2>
      <label className={styles.searchLabel}>
        Name, e-mail or affiliation
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          enterKeyHint="search"
          className={styles.search}
          aria-describedby="search-hint"
        />
      </label>
      <p id="search-hint" className={styles.hint}>
        Type two letters or more.
      </p>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {shown ? (
        shown.length === 0 ? (
          <p>Nobody registered matches “{query.trim()}”. Add them as a walk-in below.</p>
        ) : (
          <ul className={styles.results} aria-label="Matching participants">
            {shown.map((p) => (
              <li key={p.userId} className={styles.person}>
                <div>
                  <strong>{p.name ?? p.email}</strong>
                  <span className={styles.meta}>
                    {p.email}
                    {p.affiliation ? ` · ${p.affiliation}` : ""} · {p.attendanceMode === "in_person" ? "In person" : "Remote"}
                  </span>
                </div>
                {p.checkedInAt ? (
                  <span className={styles.done}>Checked in {formatClock(p.checkedInAt, timeZone)}</span>
                ) : (
                  <button type="button" onClick={() => onCheckIn(p)} aria-label={`Check in ${p.name ?? p.email}`}>
                    Check in
                  </button>
                )}
              </li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}
