// GET /api/admin/feedback.csv — the event's feedback export, organizers only (docs/api.md).
import { route } from "@/server/http/route";
import { csvResponse } from "@/server/reports/csv-response";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return route(req, async ({ app, actor }) => csvResponse(await app.reports.feedbackCsv(actor), "plenary-feedback.csv"));
}
