// POST /api/sessions/<slug>/captions/publish — organizers publish (or withdraw) a kept session's WebVTT for everyone: { published: boolean }.
import { sessionPost } from "@/server/http/route";
import { captionPublishSchema } from "@/lib/captions";

export const dynamic = "force-dynamic";

export const POST = sessionPost(captionPublishSchema, 64, ({ app, actor, session, body }) => app.captions.setPublished(actor, session, body.published));
