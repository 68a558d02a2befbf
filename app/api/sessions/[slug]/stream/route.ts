// POST /api/sessions/<slug>/stream — organizers and moderators go live or end the stream: { action: "start" | "end" }.
import { AppError } from "@/server/errors";
import { jsonBody, route, slugParam } from "@/server/http/route";
import { streamActionSchema } from "@/lib/streaming";

export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const slug = slugParam(raw);
    const session = await app.agenda.findRow(slug);
    if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    const parsed = streamActionSchema.safeParse(await jsonBody(req, 256));
    if (!parsed.success) throw new AppError("invalid_payload", parsed.error.issues[0].message);
    return app.streaming.setState(actor, session, parsed.data.action);
  });
}
