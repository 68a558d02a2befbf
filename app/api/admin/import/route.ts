// POST /api/admin/import — participants CSV: { csv, apply } → a preview with per-row errors, or the import's result.
import { z } from "zod";
import { AppError } from "@/server/errors";
import { jsonBody, route } from "@/server/http/route";

export const dynamic = "force-dynamic";

const schema = z.object({ csv: z.string().max(2_000_000, "The file is larger than 2 MB."), apply: z.boolean().default(false) });

export async function POST(req: Request) {
  return route(req, async ({ app, actor }) => {
    await app.guard.require(actor, "participants:import");
    const parsed = schema.safeParse(await jsonBody(req, 2_100_000));
    if (!parsed.success) throw new AppError("invalid_payload", parsed.error.issues[0].message);
    if (!parsed.data.apply) return { preview: await app.people.previewImport(parsed.data.csv) };
    return { result: await app.people.applyImport(parsed.data.csv, actor!) };
  });
}
