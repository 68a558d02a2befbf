// GET /api/sessions/<slug>/captions/ingest-url — organizers and this session's moderators: the URL a CART captioner pastes into their software.
import { route, slugParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }): Promise<Response> {
  const { slug } = await params;
  return route(req, async ({ app, actor }) => {
    const session = await app.agenda.requireRow(slugParam(slug));
    return app.captions.ingestUrl(actor, session);
  });
}
