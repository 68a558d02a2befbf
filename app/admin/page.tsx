import type { Metadata } from "next";
import { getApp } from "@/server/context";
import { AdminSessionList, type AdminSessionRow } from "../_components/admin-session-list";
import { formatAccessCode } from "@/server/auth/tokens";
import { requirePage } from "@/server/http/page-auth";

export const metadata: Metadata = { title: "Organizer console" };

export default async function AdminHome() {
  await requirePage("admin:view", "/admin");
  const app = getApp();
  const [event, items] = await Promise.all([app.agenda.eventInfo(), app.agenda.list()]);
  const rows: AdminSessionRow[] = [];
  for (const item of items) {
    const row = await app.agenda.findRow(item.slug);
    const staff = row ? await app.people.staffOf(row.id) : [];
    rows.push({
      item,
      code: row?.accessCode ? formatAccessCode(row.accessCode) : null,
      moderators: staff.filter((s) => s.role === "moderator").length,
      panelists: staff.filter((s) => s.role === "panelist").length,
    });
  }
  return (
    <main id="main">
      <h1>Organizer console</h1>
      <p>
        {event.name}. Edit a session to change its times, texts and switches, or to assign moderators and panelists. Changes reach every open agenda and session
        page at once.
      </p>
      <AdminSessionList rows={rows} timeZone={event.timeZone} />
    </main>
  );
}
