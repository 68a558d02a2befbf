/** Every capability's socket commands, registered once per server on its command router. */
import type { PlenaryServices } from "../../services";
import { CommandRouter } from "../command";
import { adminCommands } from "./admin";
import { checkInCommands } from "./checkin";
import { noteCommands } from "./notes";
import { pollCommands } from "./polls";
import { qaCommands } from "./qa";
import { sessionCommands } from "./session";
import { streamingCommands } from "./streaming";

export function commandRouter(app: PlenaryServices): CommandRouter {
  const router = new CommandRouter(app);
  for (const add of [sessionCommands, streamingCommands, pollCommands, qaCommands, noteCommands, adminCommands, checkInCommands]) add(app, router.on);
  return router;
}
