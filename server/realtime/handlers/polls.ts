/** Poll socket commands: the contract's schema parses; the poll service authorizes, checks state and writes. */
import type { PlenaryServices } from "../../services";
import { onCommand } from "../command";
import type { PlenarySocket } from "../io";

/** Answers may come in bursts (changing one's mind); staff commands are rarer. */
const ANSWER_RATE = { capacity: 10, perSecond: 2 };

export function registerPollHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  const actor = () => socket.data.actor;
  const polls = app.polls;
  onCommand(socket, app, "poll:sync", ({ slug }) => polls.sync(actor(), slug, socket.data.screens));
  onCommand(socket, app, "poll:create", (input) => polls.create(actor(), input));
  onCommand(socket, app, "poll:update", (input) => polls.update(actor(), input));
  onCommand(socket, app, "poll:delete", async ({ pollId }) => {
    await polls.remove(actor(), pollId);
    return null;
  });
  onCommand(socket, app, "poll:open", (input) => polls.open(actor(), input));
  onCommand(socket, app, "poll:close", ({ pollId }) => polls.close(actor(), pollId));
  onCommand(socket, app, "poll:reopen", (input) => polls.reopen(actor(), input));
  onCommand(socket, app, "poll:publish", ({ pollId }) => polls.publishResults(actor(), pollId));
  onCommand(socket, app, "poll:answer", (input) => polls.answer(actor(), input, socket.id), ANSWER_RATE);
}
