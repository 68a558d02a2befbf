// GET /agenda.ics — the whole programme as an iCalendar file.
import { agendaToIcs } from "@/server/agenda/ics";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return route(req, async ({ app }) => {
    const [event, items] = await Promise.all([app.agenda.eventInfo(), app.agenda.list()]);
    return new Response(agendaToIcs(event, items, app.config.publicUrl), {
      headers: {
        "content-type": "text/calendar; charset=utf-8",
        "content-disposition": 'attachment; filename="fms-symposium-2024.ics"',
        "cache-control": "no-store",
      },
    });
  });
}
