// GET /api/admin/attendance.csv — the event's attendance export, organizers only (docs/api.md).
import { route } from "@/server/http/route";
import { csvResponse } from "@/server/reports/csv-response";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return route(req, async ({ app, actor }) => csvResponse(await app.reports.attendanceCsv(actor), "plenary-attendance.csv"));
}
