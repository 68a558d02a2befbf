import type { Metadata } from "next";
import { ParticipantImport } from "@/app/_components/participant-import";
import { requirePage } from "@/server/http/page-auth";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Import participants" };

export default async function ImportPage() {
  await requirePage("participants:import", "/admin/import");
  return (
    <main id="main">
      <h1>Import participants</h1>
      <p>
        A CSV file with the columns <code>name</code>, <code>email</code>, <code>affiliation</code>, <code>attendance_mode</code> (<code>in_person</code> or{" "}
        <code>remote</code>) and <code>roles</code> (separated by <code>;</code>: <code>organizer</code>, <code>check-in</code>,{" "}
        <code>moderator:&lt;session&gt;</code>, <code>panelist:&lt;session&gt;</code>, where &lt;session&gt; is the last part of the session&apos;s address,
        e.g. <code>fms-planning</code>).
      </p>
      <p>You see a preview first. Importing adds people and roles; it never removes any, and importing the same file again changes nothing.</p>
      <ParticipantImport />
    </main>
  );
}
