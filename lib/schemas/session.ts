/** Zod schemas of the session-level socket commands every capability builds on. */
import { z } from "./zod";
import { slugField } from "../text";

export const sessionJoinSchema = z.object({
  slug: slugField,
  /** The room's projector: only what the room may see (docs/protocol.md, `session:join`). */
  view: z.literal("screen").optional(),
});

export const sessionLeaveSchema = z.object({ slug: slugField });
