import type { Metadata } from "next";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { CheckInDesk } from "../_components/checkin/check-in-desk";

export const metadata: Metadata = { title: "Check-in desk" };
export const dynamic = "force-dynamic";

/** The registration desk: organizers and check-in helpers (others get the 403 page, audited). */
export default async function CheckInPage() {
  const actor = await requirePage("checkin:desk", "/check-in");
  const app = getApp();
  const [event, counts] = await Promise.all([app.agenda.eventInfo(), app.checkIn.counts(actor)]);
  return (
    <main id="main" className="check-in-main">
      <h1>Check-in desk</h1>
      <CheckInDesk initial={counts} timeZone={event.timeZone} />
    </main>
  );
}
