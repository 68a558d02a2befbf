// GET /api/sessions/<slug>/polls.csv — every launched poll's totals of a session, for those who run its polls.
import { route, slugParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const slug = slugParam(raw);
    const csv = await app.polls.exportCsv(actor, slug);
    // resultsCsv leads with a byte-order mark, so spreadsheet programs read the file as UTF-8.
    return new Response(csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${slug}-poll-results.csv"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });
}
