/** Q&A socket commands: the contract's schema parses, the Q&A service authorizes, acts and takes its turn at the gate. */
import type { BucketRule } from "../rate-limit";
import type { PlenaryServices } from "../../services";
import type { CommandRegistrar } from "../command";
import { rooms } from "../rooms";

/** Per person and command (in this instance's memory). Asking is also limited per minute in the database. */
export const QA_RATES = {
  sync: { capacity: 10, perSecond: 1 },
  submit: { capacity: 10, perSecond: 1 },
  similar: { capacity: 10, perSecond: 2 },
  vote: { capacity: 30, perSecond: 5 },
  moderate: { capacity: 60, perSecond: 10 },
} satisfies Record<string, BucketRule>;

export function qaCommands(app: PlenaryServices, on: CommandRegistrar): void {
  const qa = app.qa;
  // Loads (or reloads after a reconnect) what this person's view shows, and joins that view's rooms
  // in the same turn at the gate as the read, so no change committed after the read is missed.
  on(
    "qa:sync",
    (input, { actor, socket }) =>
      qa.sync(actor, input, socket.data.screens, async (sync) => {
        const joins = [rooms.session(sync.sessionId)];
        if (sync.view !== "audience") joins.push(rooms.panel(sync.sessionId));
        if (sync.view === "staff") joins.push(rooms.staff(sync.sessionId));
        await socket.join(joins);
      }),
    QA_RATES.sync,
  );
  on("question:submit", (input, { actor }) => qa.submit(actor, input), QA_RATES.submit);
  on("question:similar", (input, { actor }) => qa.similar(actor, input), QA_RATES.similar);
  on("question:vote", (input, { actor }) => qa.vote(actor, input), QA_RATES.vote);
  on("question:moderate", (input, { actor }) => qa.moderate(actor, input), QA_RATES.moderate);
  on("question:answer", (input, { actor }) => qa.answer(actor, input), QA_RATES.moderate);
  on("qa:undo", (input, { actor }) => qa.undo(actor, input), QA_RATES.moderate);
  on("qa:pause", (input, { actor }) => qa.pause(actor, input), QA_RATES.moderate);
  on("qa:interleave", (input, { actor }) => qa.interleave(actor, input), QA_RATES.moderate);
  on("qa:configure", (input, { actor }) => qa.configure(actor, input), QA_RATES.moderate);
}
