import type { Metadata } from "next";
import { pageActor } from "@/server/http/page-auth";
import { getApp } from "@/server/context";

export const metadata: Metadata = { title: "Check-in pass" };
export const dynamic = "force-dynamic";

/**
 * Where a pass's QR code leads when a phone's own camera app reads it. It names nobody (anyone may
 * photograph a pass): it says what the code is for, and sends desk staff to the desk.
 */
export default async function PassLinkPage() {
  const actor = await pageActor();
  const app = getApp();
  const desk = actor ? app.guard.allowed(actor, "checkin:desk") : false;
  return (
    <main id="main">
      <h1>Check-in pass</h1>
      <p>This QR code is a participant&apos;s pass. Show it at the registration desk, where it is scanned to check its holder in.</p>
      {desk ? (
        <p>
          <a href="/check-in">Open the check-in desk</a> and scan it there.
        </p>
      ) : (
        <p>
          Your own pass is on <a href="/me/pass">My pass</a> once you have signed in.
        </p>
      )}
    </main>
  );
}
