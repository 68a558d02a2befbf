// GET /api/sessions/<slug>/recordings — the session's recordings: all of them for organizers, the published ones for its attendees.
import { route, slugParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return route(req, async ({ app, actor }) => {
    const session = await app.agenda.requireRow(slugParam(slug));
    return app.streaming.recordings.list(actor, session);
  });
}
