// GET /api/sessions/<slug>/questions.csv — a session's questions, for organizers and its moderators (docs/api.md).
import { route, slugParam } from "@/server/http/route";
import { csvResponse } from "@/server/reports/csv-response";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const slug = slugParam(raw);
    return csvResponse(await app.reports.questionsCsv(actor, slug), `${slug}-questions.csv`);
  });
}
