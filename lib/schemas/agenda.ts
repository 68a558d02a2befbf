import { z } from "./zod";
import { textField } from "../text";

const isoWithOffset = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, "Use an ISO 8601 date-time with an offset, e.g. 2024-05-23T08:00:00-04:00.")
  .refine((v) => !Number.isNaN(Date.parse(v)), "Not a real date-time.");

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
