// GET /api/agenda — the programme as JSON (docs/api.md).
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return route(req, async ({ app }) => {
    const [event, items] = await Promise.all([app.agenda.eventInfo(), app.agenda.list()]);
    return Response.json({ event, items, now: app.clock.now().toISOString() }, { headers: { "cache-control": "no-store" } });
  });
}
