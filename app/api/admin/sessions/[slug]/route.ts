// PATCH /api/admin/sessions/<slug> — organizer edits an agenda item: { expectedVersion?, patch }.
import { agendaUpdateSchema } from "@/lib/schemas/agenda";
import { AppError } from "@/server/errors";
import { jsonBody, route, slugParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function PATCH(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const slug = slugParam(raw);
    const session = await app.agenda.findRow(slug);
    await app.guard.require(actor, "agenda:edit", session, { type: "session", id: slug });
    if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    const parsed = agendaUpdateSchema.safeParse(await jsonBody(req));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError("invalid_payload", `${issue.path.join(".")}: ${issue.message}`);
    }
    const item = await app.agenda.update(slug, parsed.data.patch, { expectedVersion: parsed.data.expectedVersion, actor });
    return { item };
  });
}
