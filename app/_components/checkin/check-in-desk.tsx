"use client";
import { useState } from "react";
import type { CheckInPayload, CheckInResult, DeskCounts, WalkInPayload } from "@/lib/checkin";
import type { AckResult } from "@/lib/realtime/contract";
import { formatClock } from "@/lib/time";
import { DeskSearch } from "./desk-search";
import { PassScanner } from "./pass-scanner";
import { useDesk } from "./use-desk";
import { WalkInForm } from "./walk-in-form";
import styles from "./check-in.module.css";

type Outcome = { kind: "ok" | "again" | "error"; text: string };

/** The registration desk: live counts, search, pass scanning and walk-ins, for a tablet or laptop. */
export function CheckInDesk({ initial, timeZone }: { initial: DeskCounts; timeZone: string }) {
  const { counts, connected, checkedIn, checkIn, walkIn } = useDesk(initial);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const report = (r: AckResult<CheckInResult>): boolean => {
    if (!r.ok) {
      setOutcome({ kind: "error", text: r.error.message });
      return false;
    }
    const { person, firstTime } = r.data;
    const who = person.name ?? person.email ?? "This participant";
    const mode = person.attendanceMode === "in_person" ? "in person" : "registered remote";
    setOutcome(
      firstTime
        ? { kind: "ok", text: `${who} is checked in (${mode}).` }
        : { kind: "again", text: `${who} was already checked in at ${formatClock(person.checkedInAt!, timeZone)} event time.` },
    );
    return true;
  };
  const run = (payload: CheckInPayload) => void checkIn(payload).then(report);
  const addWalkIn = async (payload: WalkInPayload) => report(await walkIn(payload));

  return (
    <div className={styles.desk}>
      <DeskCounter counts={counts} connected={connected} />
      <div className={styles.outcome} role="status" aria-live="polite" data-kind={outcome?.kind ?? "none"}>
        {outcome ? outcome.text : "Ready: search for a participant or scan their pass."}
      </div>
      <div className={styles.columns}>
        <DeskSearch timeZone={timeZone} checkedIn={checkedIn} onCheckIn={(p) => run({ userId: p.userId })} />
        <div className={styles.side}>
          <PassScanner onScan={(text) => run({ pass: text })} />
          <WalkInForm onSubmit={addWalkIn} />
        </div>
      </div>
    </div>
  );
}

function DeskCounter({ counts, connected }: { counts: DeskCounts; connected: boolean }) {
  return (
    <section aria-labelledby="counts-heading">
      <h2 id="counts-heading" className="visually-hidden">
        Counts
      </h2>
      <dl className={styles.counts}>
        <div>
          <dt>Checked in</dt>
          <dd data-testid="checked-in">
            {counts.checkedIn} <span className={styles.of}>of {counts.registered}</span>
          </dd>
        </div>
        <div>
          <dt>In person</dt>
          <dd data-testid="checked-in-in-person">
            {counts.checkedInInPerson} <span className={styles.of}>of {counts.registeredInPerson}</span>
          </dd>
        </div>
        <div>
          <dt>Registered remote, here</dt>
          <dd data-testid="checked-in-remote">
            {counts.checkedInRemote} <span className={styles.of}>of {counts.registeredRemote}</span>
          </dd>
        </div>
      </dl>
      <p className={styles.hint}>{connected ? "Live: counts include every desk." : "Reconnecting… counts may be behind."}</p>
    </section>
  );
}
