import type { Metadata } from "next";
import { getApp } from "@/server/context";
import { AdminSessionList, type AdminSessionRow } from "../_components/admin-session-list";
import { formatAccessCode } from "@/server/auth/tokens";
import { requirePage } from "@/server/http/page-auth";
import { AdminDashboard } from "../_components/admin/admin-dashboard";

export const metadata: Metadata = { title: "Organizer console" };

export default async function AdminHome() {
  const actor = await requirePage("admin:view", "/admin");
  const app = getApp();
  const [event, items, dashboard] = await Promise.all([app.agenda.eventInfo(), app.agenda.list(), app.reports.dashboard(actor)]);
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
      <p>{event.name}: who is here, what is live and what was asked, updating as it happens.</p>
      <AdminDashboard initial={dashboard} />
      <section aria-labelledby="manage-heading">
        <h2 id="manage-heading">Manage sessions</h2>
        <p>
          Edit a session to change its times, texts and switches, or to assign moderators and panelists. Changes reach every open agenda and session page at
          once.
        </p>
        <AdminSessionList rows={rows} timeZone={event.timeZone} />
      </section>
    </main>
  );
}
