import { z } from "./zod";

const isoWithOffset = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, "Use an ISO 8601 date-time with an offset, e.g. 2024-05-23T08:00:00-04:00.")
  .refine((v) => !Number.isNaN(Date.parse(v)), "Not a real date-time.");

const text = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().max(max, `At most ${max} characters.`));

/** What an organizer may change on an agenda item. The rule (Chatham House or on record) is fixed by the programme. */
export const agendaPatchSchema = z
  .object({
    title: text(200).pipe(z.string().min(1, "A title is required.")),
    topic: text(200).nullable(),
    description: text(4000).nullable(),
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
