// PATCH /api/admin/sessions/<slug> — organizer edits an agenda item: { expectedVersion?, patch }.
import { agendaUpdateSchema } from "@/lib/schemas/agenda";
import { sessionNotFound } from "@/server/errors";
import { parseBody, route, slugParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function PATCH(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const slug = slugParam(raw);
    const session = await app.agenda.findRow(slug);
    await app.guard.require(actor, "agenda:edit", session, { type: "session", id: slug });
    if (!session) throw sessionNotFound(slug);
    const body = await parseBody(req, agendaUpdateSchema);
    const item = await app.agenda.update(slug, body.patch, { expectedVersion: body.expectedVersion, actor });
    return { item };
  });
}
