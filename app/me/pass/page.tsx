import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getApp } from "@/server/context";
import { pageActor } from "@/server/http/page-auth";
import { formatClock } from "@/lib/time";
import styles from "@/app/_components/checkin/check-in.module.css";

export const metadata: Metadata = { title: "My pass" };
export const dynamic = "force-dynamic";

/** The signed-in participant's personal pass: the QR code the check-in desk scans. */
export default async function MyPassPage() {
  const actor = await pageActor();
  if (!actor) redirect(`/signin?callbackUrl=${encodeURIComponent("/me/pass")}`);
  const app = getApp();
  if (actor.kind !== "person") {
    return (
      <main id="main">
        <h1>My pass</h1>
        <p>This phone joined a session with its room code; it has no personal pass. Registered participants find theirs here after signing in.</p>
      </main>
    );
  }
  const [event, pass, desk] = await Promise.all([app.agenda.eventInfo(), app.checkIn.passFor(actor.userId), app.checkIn.statusOf(actor.userId)]);
  return (
    <main id="main" className={styles.pass}>
      <h1>My pass</h1>
      {/* The SVG is made on the server by the qrcode package from our own URL: no user text in it. */}
      <div className={styles.qr} role="img" aria-label="Your pass's QR code" dangerouslySetInnerHTML={{ __html: pass.svg }} />
      <p className={styles.holder}>{actor.name ?? actor.email}</p>
      {actor.affiliation ? <p>{actor.affiliation}</p> : null}
      <p className={styles.status} data-testid="pass-status">
        {desk.checkedInAt
          ? `Checked in at ${formatClock(desk.checkedInAt, event.timeZone)} event time: you are in the room for every session.`
          : "Show this code at the registration desk to check in."}
      </p>
      <p className={styles.hint}>{event.name}. The code is yours alone: do not share it.</p>
    </main>
  );
}
