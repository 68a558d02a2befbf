/** Every capability's socket commands, registered on each new socket. */
import type { PlenaryServices } from "../../services";
import type { PlenarySocket } from "../io";
import { registerNoteHandlers } from "./notes";
import { registerPollHandlers } from "./polls";
import { registerQaHandlers } from "./qa";
import { registerSessionHandlers } from "./session";
import { registerStreamingHandlers } from "./streaming";
import { registerAdminHandlers } from "./admin";
import { registerCheckInHandlers } from "./checkin";

export function registerHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  registerSessionHandlers(app, socket);
  registerStreamingHandlers(app, socket);
  registerPollHandlers(app, socket);
  registerQaHandlers(app, socket);
  registerNoteHandlers(app, socket);
  registerAdminHandlers(app, socket);
  registerCheckInHandlers(app, socket);
}
