// POST /api/sessions/<slug>/stream-token — a short-lived LiveKit token for the signed-in person, from their role: { tab?, monitor? }.
import { AppError } from "@/server/errors";
import { jsonBody, route } from "@/server/http/route";
import { streamTokenRequestSchema } from "@/lib/streaming";

export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return route(req, async ({ app, actor }) => {
    const session = await app.agenda.findRow(slug);
    if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    const parsed = streamTokenRequestSchema.safeParse(await jsonBody(req, 1024));
    if (!parsed.success) throw new AppError("invalid_payload", parsed.error.issues[0].message);
    await app.limiter.take(`${actor?.userId ?? "anonymous"}:stream-token`, { capacity: 20, perSecond: 0.5 });
    return app.streaming.mintToken(actor, session, parsed.data);
  });
}
