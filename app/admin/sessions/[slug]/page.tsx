import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { formatAccessCode } from "@/server/auth/tokens";
import { requirePage } from "@/server/http/page-auth";
import { SessionEditor } from "@/app/_components/session-editor";
import { StaffManager } from "@/app/_components/staff-manager";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Edit session" };

export default async function AdminSession({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  await requirePage("agenda:edit", `/admin/sessions/${encodeURIComponent(slug)}`);
  const app = getApp();
  const row = await app.agenda.findRow(slug);
  if (!row) notFound();
  const [item, event, staff] = await Promise.all([app.agenda.get(slug), app.agenda.eventInfo(), app.people.staffOf(row.id)]);
  return (
    <main id="main">
      <p>
        <a href="/admin">← All sessions</a> · <a href={`/sessions/${slug}`}>Public page</a>
      </p>
      <h1>Edit: {item.title}</h1>
      <SessionEditor initial={item} timeZone={event.timeZone} />
      <section className="panel-section" aria-labelledby="staff-heading">
        <h2 id="staff-heading">Moderators and panelists</h2>
        <StaffManager slug={slug} initial={staff} />
      </section>
      {row.accessCode ? (
        <section className="panel-section" aria-labelledby="code-heading">
          <h2 id="code-heading">Room code</h2>
          <p>
            People in the room join with <span className="code-display">{formatAccessCode(row.accessCode)}</span> at <span>{app.config.publicUrl}/join</span>,
            or by scanning:
          </p>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            className="qr"
            src={`/sessions/${slug}/join-qr.svg`}
            alt={`QR code that opens ${app.config.publicUrl}/join with the code ${formatAccessCode(row.accessCode)}`}
          />
        </section>
      ) : null}
    </main>
  );
}
