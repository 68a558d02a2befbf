/** Poll socket commands: the contract's schema parses; the poll service authorizes, checks state and writes. */
import type { PlenaryServices } from "../../services";
import type { CommandRegistrar } from "../command";

/** Answers may come in bursts (changing one's mind); staff commands are rarer. */
const ANSWER_RATE = { capacity: 10, perSecond: 2 };

export function pollCommands(app: PlenaryServices, on: CommandRegistrar): void {
  const polls = app.polls;
  on("poll:sync", ({ slug }, { actor, socket }) => polls.sync(actor, slug, socket.data.screens));
  on("poll:create", (input, { actor }) => polls.create(actor, input));
  on("poll:update", (input, { actor }) => polls.update(actor, input));
  on("poll:delete", async ({ pollId }, { actor }) => {
    await polls.remove(actor, pollId);
    return null;
  });
  on("poll:open", (input, { actor }) => polls.open(actor, input));
  on("poll:close", ({ pollId }, { actor }) => polls.close(actor, pollId));
  on("poll:reopen", (input, { actor }) => polls.reopen(actor, input));
  on("poll:publish", ({ pollId }, { actor }) => polls.publishResults(actor, pollId));
  on("poll:answer", (input, { actor, socket }) => polls.answer(actor, input, socket.id), ANSWER_RATE);
}
