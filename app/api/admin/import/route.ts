// POST /api/admin/import — participants CSV: { csv, apply } → a preview with per-row errors, or the import's result.
import { z } from "zod";
import { parseBody, route } from "@/server/http/route";

export const dynamic = "force-dynamic";

const schema = z.object({ csv: z.string().max(2_000_000, "The file is larger than 2 MB."), apply: z.boolean().default(false) });

export async function POST(req: Request) {
  return route(req, async ({ app, actor }) => {
    await app.guard.require(actor, "participants:import");
    const { csv, apply } = await parseBody(req, schema, 2_100_000);
    if (!apply) return { preview: await app.people.previewImport(csv) };
    return { result: await app.people.applyImport(csv, actor!) };
  });
}
