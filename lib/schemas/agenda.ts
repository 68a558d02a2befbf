import { dateTimeField, z } from "./zod";
import { textField } from "../text";

/** Wide enough for any programme; narrow enough to catch a mistyped year. */
const isoWithOffset = dateTimeField({ fromYear: 2000, toYear: 2099 });

/** What an organizer may change on an agenda item. The rule (Chatham House or on record) is fixed by the programme. */
export const agendaPatchSchema = z
  .object({
    title: textField({ what: "The title", min: 1, max: 200 }),
    topic: textField({ what: "The topic", max: 200 }).nullable(),
    description: textField({ what: "The description", max: 4000, multiline: true }).nullable(),
    startsAt: isoWithOffset,
    endsAt: isoWithOffset,
    streamed: z.boolean(),
    recordingAllowed: z.boolean(),
    qaEnabled: z.boolean(),
    pollsEnabled: z.boolean(),
    qaMode: z.enum(["pre_moderated", "open"]),
    qaOpen: z.boolean(),
  })
  .partial()
  .strict()
  .refine((p) => !(p.startsAt && p.endsAt) || Date.parse(p.endsAt) > Date.parse(p.startsAt), {
    message: "The end time must be after the start time.",
    path: ["endsAt"],
  });

export type AgendaPatch = z.infer<typeof agendaPatchSchema>;

export const agendaUpdateSchema = z.object({
  /** The version the editor saw; a stale one is refused instead of overwriting someone else's change. */
  expectedVersion: z.number().int().positive().optional(),
  patch: agendaPatchSchema,
});
