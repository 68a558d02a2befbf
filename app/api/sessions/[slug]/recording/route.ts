// POST /api/sessions/<slug>/recording — organizers and moderators start or stop a recording where the session allows it: { action: "start" | "stop" }.
import { sessionPost } from "@/server/http/route";
import { recordingActionSchema } from "@/lib/streaming";

export const dynamic = "force-dynamic";

export const POST = sessionPost(recordingActionSchema, 256, ({ app, actor, session, body }) =>
  body.action === "start" ? app.streaming.recordings.start(actor, session) : app.streaming.recordings.stop(actor, session),
);
