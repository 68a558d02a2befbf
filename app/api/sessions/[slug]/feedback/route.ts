// GET /api/sessions/<slug>/feedback — the survey's state for this person; POST — an anonymous answer (docs/api.md).
import { parseBody, route, slugParam } from "@/server/http/route";
import { feedbackSubmitSchema } from "@/lib/schemas/feedback";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export async function GET(req: Request, { params }: Params) {
  const { slug } = await params;
  return route(req, async ({ app, actor }) => app.feedback.form(actor, slugParam(slug)));
}

export async function POST(req: Request, { params }: Params) {
  const { slug } = await params;
  return route(req, async ({ app, actor }) => app.feedback.submit(actor, slugParam(slug), await parseBody(req, feedbackSubmitSchema, 16 * 1024)));
}
