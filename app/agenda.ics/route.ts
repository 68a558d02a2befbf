// GET /agenda.ics — the whole programme as an iCalendar file.
import { getApp } from "@/server/context";
import { agendaToIcs } from "@/server/agenda/ics";

export const dynamic = "force-dynamic";

export async function GET() {
  const app = getApp();
  const [event, items] = await Promise.all([app.agenda.eventInfo(), app.agenda.list()]);
  return new Response(agendaToIcs(event, items, app.config.publicUrl), {
    headers: {
      "content-type": "text/calendar; charset=utf-8",
      "content-disposition": 'attachment; filename="fms-symposium-2024.ics"',
      "cache-control": "no-store",
    },
  });
}
