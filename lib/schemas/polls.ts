import { z } from "./zod";
import { POLL_LIMITS } from "../polls";
import { slugField as slug, textField } from "../text";
import { clientKeyField } from "./qa";

/** One line, at least one visible character (lib/text.ts). */
const text = (max: number, what: string) => textField({ what, min: 1, max });

const pollId = z.uuid("Not a poll id.");
const duration = z
  .number()
  .int()
  .min(POLL_LIMITS.minDurationSeconds, `A timer runs at least ${POLL_LIMITS.minDurationSeconds} seconds.`)
  .max(POLL_LIMITS.maxDurationSeconds, `A timer runs at most ${POLL_LIMITS.maxDurationSeconds / 60} minutes.`)
  .nullable();
const visibility = z.enum(["live", "after_close", "published"]);

const options = z
  .array(text(POLL_LIMITS.option, "Each option"))
  .min(POLL_LIMITS.minOptions, `Give at least ${POLL_LIMITS.minOptions} options.`)
  .max(POLL_LIMITS.maxOptions, `Give at most ${POLL_LIMITS.maxOptions} options.`)
  .refine((o) => new Set(o.map((l) => l.toLowerCase())).size === o.length, "Two options have the same text.");

const common = {
  question: text(POLL_LIMITS.question, "The question"),
  resultsVisibility: visibility,
  durationSeconds: duration.default(null),
};

/** What a moderator writes when preparing a poll. */
export const pollDraftSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("single"), ...common, options }).strict(),
  z
    .object({ kind: z.literal("multiple"), ...common, options, maxPicks: z.number().int().min(1, "Allow at least one pick.") })
    .strict()
    .refine((d) => d.maxPicks <= d.options.length, { message: "The maximum number of picks cannot exceed the number of options.", path: ["maxPicks"] }),
  z
    .object({
      kind: z.literal("rating"),
      ...common,
      scaleMax: z.union([z.literal(5), z.literal(10)], "The scale runs 1–5 or 1–10."),
      lowLabel: text(POLL_LIMITS.label, "The label of the low end"),
      highLabel: text(POLL_LIMITS.label, "The label of the high end"),
    })
    .strict(),
  z.object({ kind: z.literal("word_cloud"), ...common }).strict(),
]);
export type PollDraft = z.output<typeof pollDraftSchema>;
/** What a client sends (optional fields may be left out). */
export type PollDraftInput = z.input<typeof pollDraftSchema>;

export const pollCreateSchema = z
  .object({
    slug,
    /** The client's idempotency key: resending the same create returns the same poll. */
    clientKey: clientKeyField,
    draft: pollDraftSchema,
    /** Launch at once ("create on the spot"). */
    open: z.boolean().default(false),
  })
  .strict();

export const pollUpdateSchema = z.object({ pollId, expectedVersion: z.number().int().positive(), draft: pollDraftSchema }).strict();
export const pollRefSchema = z.object({ pollId }).strict();
export const pollOpenSchema = z.object({ pollId, durationSeconds: duration.optional() }).strict();
export const pollSyncSchema = z.object({ slug }).strict();

/** An answer as the client sends it; the server checks it against the poll's definition. */
export const pollAnswerInputSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("single"), optionId: z.uuid("Not an option of this poll.") }).strict(),
  // No upper bound here: the socket's 16 KiB frame limit bounds the list, and more picks than the poll
  // allows is the service's refusal with its own code (too_many_picks), not a malformed payload.
  z.object({ kind: z.literal("multiple"), optionIds: z.array(z.uuid("Not an option of this poll.")).min(1, "Pick at least one option.") }).strict(),
  z.object({ kind: z.literal("rating"), value: z.number().int("A rating is a whole number.") }).strict(),
  z.object({ kind: z.literal("word_cloud"), text: z.string().max(200, "A word-cloud answer is a word or a short phrase.") }).strict(),
]);

export const pollAnswerSchema = z.object({ pollId, answer: pollAnswerInputSchema }).strict();
