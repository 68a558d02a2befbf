// POST /api/sessions/<slug>/captions/rotate — organizers and this session's moderators: a new ingest URL; the old one stops working at once. Body: {}.
import { z } from "zod";
import { sessionPost } from "@/server/http/route";

export const dynamic = "force-dynamic";

export const POST = sessionPost(z.object({}).strict(), 64, ({ app, actor, session }) => app.captions.rotate(actor, session));
