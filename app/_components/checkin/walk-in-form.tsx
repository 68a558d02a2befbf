"use client";
import { useState } from "react";
import type { WalkInPayload } from "@/lib/checkin";
import styles from "./check-in.module.css";

/** Someone who did not register: name, e-mail and how they attend; added and checked in in one step. */
export function WalkInForm({ onSubmit }: { onSubmit: (p: WalkInPayload) => Promise<boolean> }) {
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="walk-in-heading" className={styles.panel}>
      <h2 id="walk-in-heading">Add a walk-in</h2>
      <form
        className={styles.walkIn}
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const data = new FormData(form);
          const field = (name: string) => {
            const v = data.get(name);
            return typeof v === "string" ? v : "";
          };
          setBusy(true);
          void onSubmit({
            name: field("name"),
            email: field("email"),
            affiliation: field("affiliation") || undefined,
            attendanceMode: field("mode") === "remote" ? "remote" : "in_person",
          }).then((done) => {
            setBusy(false);
            if (done) form.reset();
          });
        }}
      >
        <label>
          Name
          <input name="name" required maxLength={120} autoComplete="off" />
        </label>
        <label>
          E-mail
          <input name="email" type="email" required maxLength={254} autoComplete="off" />
        </label>
        <label>
          Affiliation (optional)
          <input name="affiliation" maxLength={200} autoComplete="off" />
        </label>
        <fieldset className={styles.mode}>
          <legend>Attends</legend>
          <label>
            <input type="radio" name="mode" value="in_person" defaultChecked /> In person
          </label>
          <label>
            <input type="radio" name="mode" value="remote" /> Remote
          </label>
        </fieldset>
        <button type="submit" disabled={busy}>
          Add and check in
        </button>
      </form>
    </section>
  );
}
