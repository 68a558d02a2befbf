/** Q&A socket commands: the contract's schema parses, the Q&A service authorizes, acts and takes its turn at the gate. */
import type { BucketRule } from "../rate-limit";
import type { PlenaryServices } from "../../services";
import { onCommand } from "../command";
import type { PlenarySocket } from "../io";
import { rooms } from "../rooms";

/** Per person and command (in this instance's memory). Asking is also limited per minute in the database. */
export const QA_RATES = {
  sync: { capacity: 10, perSecond: 1 },
  submit: { capacity: 10, perSecond: 1 },
  similar: { capacity: 10, perSecond: 2 },
  vote: { capacity: 30, perSecond: 5 },
  moderate: { capacity: 60, perSecond: 10 },
} satisfies Record<string, BucketRule>;

export function registerQaHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  const actor = () => socket.data.actor;
  const qa = app.qa;
  // Loads (or reloads after a reconnect) what this person's view shows, and joins that view's rooms
  // before it reads (reading.ts), so no change committed after the read is missed.
  onCommand(
    socket,
    app,
    "qa:sync",
    (input) =>
      qa.sync(actor(), input, socket.data.screens, async (sync) => {
        const joins = [rooms.session(sync.sessionId)];
        if (sync.view !== "audience") joins.push(rooms.panel(sync.sessionId));
        if (sync.view === "staff") joins.push(rooms.staff(sync.sessionId));
        await socket.join(joins);
      }),
    QA_RATES.sync,
  );
  onCommand(socket, app, "question:submit", (input) => qa.submit(actor(), input), QA_RATES.submit);
  onCommand(socket, app, "question:similar", (input) => qa.similar(actor(), input), QA_RATES.similar);
  onCommand(socket, app, "question:vote", (input) => qa.vote(actor(), input), QA_RATES.vote);
  onCommand(socket, app, "question:moderate", (input) => qa.moderate(actor(), input), QA_RATES.moderate);
  onCommand(socket, app, "question:answer", (input) => qa.answer(actor(), input), QA_RATES.moderate);
  onCommand(socket, app, "qa:undo", (input) => qa.undo(actor(), input), QA_RATES.moderate);
  onCommand(socket, app, "qa:pause", (input) => qa.pause(actor(), input), QA_RATES.moderate);
  onCommand(socket, app, "qa:interleave", (input) => qa.interleave(actor(), input), QA_RATES.moderate);
  onCommand(socket, app, "qa:configure", (input) => qa.configure(actor(), input), QA_RATES.moderate);
}
