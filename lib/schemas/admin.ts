/** Zod schemas of the organizer dashboard's socket commands. */
import { z } from "./zod";

/** `admin:dashboard`: the whole event now; the socket also starts receiving `admin:changed`. */
export const adminDashboardSchema = z.object({}).strict();
