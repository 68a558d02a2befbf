// POST /api/sessions/<slug>/recording — organizers and moderators start or stop a recording where the session allows it: { action: "start" | "stop" }.
import { sessionPost } from "@/server/http/route";
import { recordingActionSchema } from "@/lib/streaming";

export const dynamic = "force-dynamic";

export const POST = sessionPost(recordingActionSchema, 256, ({ app, actor, session, body }) =>
  body.action === "start" ? app.streaming.startRecording(actor, session) : app.streaming.stopRecording(actor, session),
);
