import type { Metadata } from "next";
import { ParticipantImport } from "@/app/_components/participant-import";

export const metadata: Metadata = { title: "Import participants" };

export default function ImportPage() {
  return (
    <main id="main">
      <h1>Import participants</h1>
      <p>
        A CSV file with the columns <code>name</code>, <code>email</code>, <code>affiliation</code>, <code>attendance_mode</code> (<code>in_person</code> or{" "}
        <code>remote</code>) and <code>roles</code> (separated by <code>;</code>: <code>organizer</code>, <code>moderator:&lt;session&gt;</code>,{" "}
        <code>panelist:&lt;session&gt;</code>, where &lt;session&gt; is the last part of the session&apos;s address, e.g. <code>fms-planning</code>).
      </p>
      <p>You see a preview first. Importing adds people and roles; it never removes any, and importing the same file again changes nothing.</p>
      <ParticipantImport />
    </main>
  );
}
