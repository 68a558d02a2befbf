// POST /api/admin/sessions/<slug>/roles — organizer assigns or removes a moderator or panelist: { email, role, grant }.
import { z } from "zod";
import { AppError } from "@/server/errors";
import { jsonBody, route, slugParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

const schema = z.object({ email: z.email("Give the participant's e-mail address."), role: z.enum(["moderator", "panelist"]), grant: z.boolean() });

export async function POST(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const slug = slugParam(raw);
    await app.guard.require(actor, "roles:manage", undefined, { type: "session", id: slug });
    const parsed = schema.safeParse(await jsonBody(req, 2048));
    if (!parsed.success) throw new AppError("invalid_payload", parsed.error.issues[0].message);
    return app.people.setRole(actor!, slug, parsed.data.email.toLowerCase(), parsed.data.role, parsed.data.grant);
  });
}
