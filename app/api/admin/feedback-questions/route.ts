// GET/POST /api/admin/feedback-questions — the event's up to 3 extra feedback questions, organizers only.
import { parseBody, route } from "@/server/http/route";
import { feedbackQuestionsSchema } from "@/lib/schemas/feedback";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return route(req, async ({ app, actor }) => {
    await app.guard.require(actor, "admin:view");
    return { questions: await app.feedback.questions() };
  });
}

export async function POST(req: Request) {
  return route(req, async ({ app, actor }) => ({ questions: await app.feedback.setQuestions(actor, await parseBody(req, feedbackQuestionsSchema, 8 * 1024)) }));
}
