import { z } from "zod";

/** Filters of the audit log, from a query string (GET /api/admin/audit, /admin/audit). */
export const auditFilterSchema = z.object({
  session: z.string().max(120).optional(),
  action: z.string().max(60).optional(),
  actor: z.string().max(120).optional(),
  outcome: z.enum(["ok", "refused"]).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditFilterInput = z.infer<typeof auditFilterSchema>;

export function auditFilterFrom(params: URLSearchParams | Record<string, string | undefined>) {
  const raw = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ""));
  return auditFilterSchema.safeParse(cleaned);
}
