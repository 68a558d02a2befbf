import { pollAnswerSchema, pollCreateSchema, pollOpenSchema, pollRefSchema, pollSyncSchema, pollUpdateSchema } from "../../lib/schemas/polls";
import type { PlenaryServices } from "../app";
import { onCommand } from "../realtime/command";
import type { PlenarySocket } from "../realtime/io";

/** Answers may come in bursts (changing one's mind); staff commands are rarer. */
const ANSWER_RATE = { capacity: 10, perSecond: 2 };

/**
 * Poll commands. Each parses with the shared schema (onCommand), and the poll service authorizes,
 * checks state and writes; facts go out through the session's rooms (server/polls/publisher.ts).
 */
export function registerPollHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  const actor = () => socket.data.actor;
  onCommand(socket, app, "poll:sync", pollSyncSchema, ({ slug }) => app.polls.sync(actor(), slug, socket.data.screens));
  onCommand(socket, app, "poll:create", pollCreateSchema, (input) => app.polls.create(actor(), input));
  onCommand(socket, app, "poll:update", pollUpdateSchema, (input) => app.polls.update(actor(), input));
  onCommand(socket, app, "poll:delete", pollRefSchema, ({ pollId }) => app.polls.remove(actor(), pollId));
  onCommand(socket, app, "poll:open", pollOpenSchema, (input) => app.polls.open(actor(), input));
  onCommand(socket, app, "poll:close", pollRefSchema, ({ pollId }) => app.polls.close(actor(), pollId));
  onCommand(socket, app, "poll:reopen", pollOpenSchema, (input) => app.polls.reopen(actor(), input));
  onCommand(socket, app, "poll:publish", pollRefSchema, ({ pollId }) => app.polls.publishResults(actor(), pollId));
  onCommand(socket, app, "poll:answer", pollAnswerSchema, (input) => app.polls.answer(actor(), input, socket.id), ANSWER_RATE);
}
