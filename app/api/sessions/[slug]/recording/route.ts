// POST /api/sessions/<slug>/recording — organizers and moderators start or stop a recording where the session allows it: { action: "start" | "stop" }.
import { AppError } from "@/server/errors";
import { jsonBody, route, slugParam } from "@/server/http/route";
import { recordingActionSchema } from "@/lib/streaming";

export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const slug = slugParam(raw);
    const session = await app.agenda.findRow(slug);
    if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    const parsed = recordingActionSchema.safeParse(await jsonBody(req, 256));
    if (!parsed.success) throw new AppError("invalid_payload", parsed.error.issues[0].message);
    return parsed.data.action === "start" ? app.streaming.startRecording(actor, session) : app.streaming.stopRecording(actor, session);
  });
}
