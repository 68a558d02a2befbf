// GET /api/admin/audit?session=&action=&actor=&outcome=&from=&to=&before=&limit= — the audit log, newest first.
import { auditFilterFrom } from "@/lib/schemas/audit";
import { AppError, describeIssue } from "@/server/errors";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return route(req, async ({ app, actor }) => {
    await app.guard.require(actor, "audit:read");
    const parsed = auditFilterFrom(new URL(req.url).searchParams);
    if (!parsed.success) throw new AppError("invalid_payload", describeIssue(parsed.error.issues[0]));
    const f = parsed.data;
    const entries = await app.audit.list({
      sessionSlug: f.session,
      action: f.action,
      actor: f.actor,
      outcome: f.outcome,
      from: f.from ? new Date(f.from) : undefined,
      to: f.to ? new Date(f.to) : undefined,
      beforeId: f.before,
      limit: f.limit,
    });
    return { entries };
  });
}
