// POST /api/admin/branding — organizer sets the event's name, logo and colour: { name, accent, logo }.
import { BRANDING_LIMITS } from "@/lib/branding";
import { jsonBody, route } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  return route(req, async ({ app, actor }) => {
    // The logo travels base64-encoded inside the JSON: allow for that, and nothing more.
    const body = await jsonBody(req, Math.ceil((BRANDING_LIMITS.logoBytes * 4) / 3) + 4096);
    return { branding: await app.branding.update(actor, body) };
  });
}
