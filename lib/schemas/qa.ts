/**
 * Zod schemas of every Q&A command payload, shared by the server (which parses every frame with
 * them) and the browser. Unknown fields are stripped, never trusted: a forged `status` or `author`
 * in a submit simply does not exist after parsing.
 */
import { z } from "./zod";
import {
  DISMISS_REASON_MAX_CHARS,
  QUESTION_MIN_MESSAGE,
  QUESTION_MAX_CHARS,
  QUESTION_MIN_CHARS,
  QUESTION_RAW_MAX_CHARS,
  TAGS_MAX,
  cleanQuestionText,
  cleanTag,
  questionLength,
} from "../qa";
import { slugField, visibleLength } from "../text";

export { slugField };
/** Client idempotency key: the same key sent twice is stored once. */
export const clientKeyField = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "An idempotency key is 8–64 letters, digits, '-' or '_'.");
export const questionIdField = z.uuid("Not a question id.");

/** The text rule of lib/qa.ts, as a schema: cleans, then checks 3 visible to 500 characters. */
export const questionTextField = z
  .string()
  .max(QUESTION_RAW_MAX_CHARS, `A question has at most ${QUESTION_MAX_CHARS} characters.`)
  .transform(cleanQuestionText)
  .refine((t) => visibleLength(t) >= QUESTION_MIN_CHARS, QUESTION_MIN_MESSAGE)
  .refine((t) => questionLength(t) <= QUESTION_MAX_CHARS, `A question has at most ${QUESTION_MAX_CHARS} characters.`);

export const qaSyncSchema = z.object({
  slug: slugField,
  /** The version the client holds; omitted for a first load. */
  since: z.number().int().nonnegative().optional(),
  /** A lower view than the person's richest (a moderator previewing the audience's). */
  view: z.enum(["audience", "panel", "staff"]).optional(),
});

export const questionSubmitSchema = z.object({
  slug: slugField,
  key: clientKeyField,
  text: questionTextField,
  /** On-record sessions only; under the Chatham House Rule every question is anonymous whatever this says. */
  anonymous: z.boolean().default(true),
});

export const questionSimilarSchema = z.object({
  slug: slugField,
  text: z.string().max(QUESTION_RAW_MAX_CHARS).transform(cleanQuestionText),
});

export const questionVoteSchema = z.object({
  slug: slugField,
  key: clientKeyField,
  questionId: questionIdField,
  /** The vote this person wants to have: `true` twice is still one vote. */
  up: z.boolean(),
});

const reasonField = z
  .string()
  .max(QUESTION_RAW_MAX_CHARS)
  .transform((s) => cleanQuestionText(s).replace(/\n+/g, " "))
  .refine((s) => visibleLength(s) >= 1, "Give a reason the asker will see.")
  .refine((s) => questionLength(s) <= DISMISS_REASON_MAX_CHARS, `A reason has at most ${DISMISS_REASON_MAX_CHARS} characters.`);

export const moderationActionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("approve") }),
  z.object({ type: z.literal("dismiss"), reason: reasonField }),
  z.object({ type: z.literal("restore") }),
  z.object({ type: z.literal("edit"), text: questionTextField }),
  z.object({ type: z.literal("star"), starred: z.boolean() }),
  z.object({
    type: z.literal("tags"),
    tags: z
      .array(z.string().max(200))
      .max(TAGS_MAX, `At most ${TAGS_MAX} tags.`)
      .transform((ts) => [...new Set(ts.map(cleanTag).filter((t) => visibleLength(t) > 0))]),
  }),
  z.object({ type: z.literal("route"), panelistId: z.uuid().nullable() }),
  z.object({ type: z.literal("merge"), intoId: questionIdField }),
  z.object({ type: z.literal("stage") }),
  z.object({ type: z.literal("unstage") }),
  z.object({ type: z.literal("answer") }),
  z.object({ type: z.literal("reopen") }),
  z.object({ type: z.literal("move"), direction: z.enum(["up", "down"]) }),
]);
export type ModerationAction = z.output<typeof moderationActionSchema>;
export type ModerationActionType = ModerationAction["type"];

export const questionModerateSchema = z.object({
  slug: slugField,
  key: clientKeyField,
  questionId: questionIdField,
  /** The question's version the moderator saw; if it moved on, the action is refused with the fresh state. */
  expectedVersion: z.number().int().positive(),
  action: moderationActionSchema,
});

/** Panelists (and staff) mark the question they answered. */
export const questionAnswerSchema = z.object({
  slug: slugField,
  key: clientKeyField,
  questionId: questionIdField,
  expectedVersion: z.number().int().positive(),
});

export const qaUndoSchema = z.object({ slug: slugField, key: clientKeyField });
export const qaPauseSchema = z.object({ slug: slugField, key: clientKeyField, paused: z.boolean() });
export const qaInterleaveSchema = z.object({ slug: slugField, key: clientKeyField });
/** Opens or closes Q&A and sets its mode. Strict: a field that is not one of these (e.g. `streamed`) is refused, never ignored. */
export const qaConfigureSchema = z
  .object({
    slug: slugField,
    key: clientKeyField,
    qaOpen: z.boolean().optional(),
    qaMode: z.enum(["pre_moderated", "open"]).optional(),
  })
  .strict()
  .refine((p) => p.qaOpen !== undefined || p.qaMode !== undefined, "Say what to change: qaOpen, qaMode or both.");
