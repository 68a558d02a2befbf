// POST /api/sessions/<slug>/stream-token — a short-lived LiveKit token for the signed-in person, from their role: { tab?, monitor? }.
import { sessionPost } from "@/server/http/route";
import { streamTokenRequestSchema } from "@/lib/streaming";

export const dynamic = "force-dynamic";

export const POST = sessionPost(streamTokenRequestSchema, 1024, async ({ app, actor, session, body }) => {
  await app.limiter.take(`${actor?.userId ?? "anonymous"}:stream-token`, { capacity: 20, perSecond: 0.5 });
  return app.streaming.mintToken(actor, session, body);
});
