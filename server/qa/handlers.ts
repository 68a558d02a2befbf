/** Q&A socket commands: parse (inside the service, with lib/schemas/qa.ts), authorize, act, answer. */
import type { PlenaryServices } from "../app";
import { onCommand } from "../realtime/command";
import type { PlenarySocket } from "../realtime/io";
import type { BucketRule } from "../realtime/rate-limit";
import { rooms } from "../realtime/rooms";
import { z } from "zod";
import type { Actor } from "../auth/actor";
import type { Lane } from "./gate";
import { qaFault } from "./service";

/** Per person and command (in this instance's memory). Asking is also limited per minute in the database. */
export const QA_RATES = {
  sync: { capacity: 10, perSecond: 1 },
  submit: { capacity: 10, perSecond: 1 },
  similar: { capacity: 10, perSecond: 2 },
  vote: { capacity: 30, perSecond: 5 },
  moderate: { capacity: 60, perSecond: 10 },
} satisfies Record<string, BucketRule>;

/** The payload is parsed by the service; here only its outer shape (an object) is required. */
const anyObject = z.record(z.string(), z.unknown());
const syncEnvelope = z.looseObject({ view: z.enum(["audience", "panel", "staff"]).optional() });

function holdsStaffRole(actor: Actor | null): boolean {
  if (!actor) return false;
  if (actor.isOrganizer) return true;
  for (const roles of actor.sessionRoles.values()) if (roles.has("moderator") || roles.has("panelist")) return true;
  return false;
}

export function registerQaHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  const actor = () => socket.data.actor;
  // Every command takes its turn at the gate (server/qa/gate.ts) — staff commands in their own lane,
  // ahead of the audience's — and every error leaves through qaFault, so no query parameter can reach
  // an ack or a log line.
  // Only people who hold a staff role somewhere get the fast lane: an attendee's forged staff command
  // waits with the audience (and is refused by the policy when its turn comes).
  const gated =
    (lane: Lane) =>
    <I, R>(run: (input: I) => Promise<R>) =>
    (input: I): Promise<R> =>
      app.qa.gate.run(() => run(input), lane === "staff" && holdsStaffRole(actor()) ? "staff" : "audience").catch((err: unknown) => {
        throw qaFault(err);
      });
  const safe = gated("audience");
  const staff = gated("staff");
  // Votes and syncs take their turn at the gate in batches (QaService.vote, QaService.sync), not one by one.
  const batched =
    <I, R>(run: (input: I) => Promise<R>) =>
    (input: I): Promise<R> =>
      run(input).catch((err: unknown) => {
        throw qaFault(err);
      });

  // Loads (or reloads after a reconnect) what this person's view shows, and joins that view's rooms
  // (in the same turn at the gate as the read). Syncs take their turn in batches (QaService.sync).
  onCommand(
    socket,
    app,
    "qa:sync",
    syncEnvelope,
    batched(({ view: requested, ...input }) =>
      app.qa.sync(actor(), input, requested, socket.data.screens, async (sync) => {
        const joins = [rooms.session(sync.sessionId)];
        if (sync.view !== "audience") joins.push(rooms.panel(sync.sessionId));
        if (sync.view === "staff") joins.push(rooms.staff(sync.sessionId));
        await socket.join(joins);
      }),
    ),
    QA_RATES.sync,
  );
  onCommand(socket, app, "question:submit", anyObject, safe((input) => app.qa.submit(actor(), input)), QA_RATES.submit);
  onCommand(socket, app, "question:similar", anyObject, safe((input) => app.qa.similar(actor(), input)), QA_RATES.similar);
  onCommand(socket, app, "question:vote", anyObject, batched((input) => app.qa.vote(actor(), input)), QA_RATES.vote);
  onCommand(socket, app, "question:moderate", anyObject, staff((input) => app.qa.moderate(actor(), input)), QA_RATES.moderate);
  onCommand(socket, app, "question:answer", anyObject, staff((input) => app.qa.answer(actor(), input)), QA_RATES.moderate);
  onCommand(socket, app, "qa:undo", anyObject, staff((input) => app.qa.undo(actor(), input)), QA_RATES.moderate);
  onCommand(socket, app, "qa:pause", anyObject, staff((input) => app.qa.pause(actor(), input)), QA_RATES.moderate);
  onCommand(socket, app, "qa:interleave", anyObject, staff((input) => app.qa.interleave(actor(), input)), QA_RATES.moderate);
  onCommand(socket, app, "qa:configure", anyObject, staff((input) => app.qa.configure(actor(), input)), QA_RATES.moderate);
}
