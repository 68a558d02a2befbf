// POST /api/admin/sessions/<slug>/roles — organizer assigns or removes a moderator or panelist: { email, role, grant }.
import { z } from "zod";
import { parseBody, route, slugParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

const schema = z.object({ email: z.email("Give the participant's e-mail address."), role: z.enum(["moderator", "panelist"]), grant: z.boolean() });

export async function POST(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const slug = slugParam(raw);
    await app.guard.require(actor, "roles:manage", undefined, { type: "session", id: slug });
    const { email, role, grant } = await parseBody(req, schema, 2048);
    return app.people.setRole(actor!, slug, email.toLowerCase(), role, grant);
  });
}
