// POST /api/sessions/<slug>/stream — organizers and moderators go live or end the stream:
// { action: "start" | "end", emptyStage?: true } (409 stage_empty: nobody on stage, confirm with emptyStage).
import { sessionPost } from "@/server/http/route";
import { streamActionSchema } from "@/lib/streaming";

export const dynamic = "force-dynamic";

export const POST = sessionPost(streamActionSchema, 256, ({ app, actor, session, body }) =>
  app.streaming.setState(actor, session, body.action, { emptyStage: body.emptyStage }),
);
