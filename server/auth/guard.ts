import type { SessionRow } from "../../db/schema";
import type { AuditService } from "../audit/service";
import { AppError } from "../errors";
import type { Actor } from "./actor";
import { authorize, type Action } from "./policy";

/**
 * Asks the policy and, on a refusal, writes the audit entry and throws the error every transport maps
 * the same way (403 / `forbidden`, 401 / `unauthenticated`). Nothing is changed before this passes.
 */
export class Guard {
  constructor(private readonly audit: AuditService) {}

  async require(actor: Actor | null, action: Action, session?: SessionRow, object?: { type: string; id: string }): Promise<void> {
    const decision = authorize(actor, action, session);
    if (decision.allowed) return;
    await this.audit.record({
      actor,
      action,
      outcome: "refused",
      code: decision.code,
      objectType: object?.type ?? (session ? "session" : undefined),
      objectId: object?.id ?? session?.slug,
      session: session ? { id: session.id, rule: session.rule } : undefined,
      details: { reason: decision.message },
    });
    throw new AppError(decision.code, decision.message);
  }

  allowed(actor: Actor | null, action: Action, session?: SessionRow): boolean {
    return authorize(actor, action, session).allowed;
  }
}
