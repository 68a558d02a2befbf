// GET /sessions/<slug>/calendar.ics — one session as an iCalendar file.
import { agendaToIcs } from "@/server/agenda/ics";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return route(req, async ({ app }) => {
    const row = await app.agenda.findRow(slug);
    if (!row) return new Response("There is no such session in the programme.\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    const [event, item] = await Promise.all([app.agenda.eventInfo(), app.agenda.get(slug)]);
    return new Response(agendaToIcs(event, [item], app.config.publicUrl), {
      headers: {
        "content-type": "text/calendar; charset=utf-8",
        "content-disposition": `attachment; filename="${slug}.ics"`,
        "cache-control": "no-store",
      },
    });
  });
}
