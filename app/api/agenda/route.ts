// GET /api/agenda — the programme as JSON (docs/api.md).
import { getApp } from "@/server/context";

export const dynamic = "force-dynamic";

export async function GET() {
  const app = getApp();
  const [event, items] = await Promise.all([app.agenda.eventInfo(), app.agenda.list()]);
  return Response.json({ event, items, now: app.clock.now().toISOString() }, { headers: { "cache-control": "no-store" } });
}
