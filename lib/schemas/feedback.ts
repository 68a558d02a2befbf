/** Zod schemas of session feedback (the survey after a session) and the organizer's extra questions. */
import { z } from "./zod";
import { textField } from "../text";
import { FEEDBACK_LIMITS } from "../admin";

export const feedbackSubmitSchema = z
  .object({
    rating: z.number().int().min(1, "Choose a rating from 1 to 5.").max(5, "Choose a rating from 1 to 5."),
    comment: textField({ what: "The comment", min: 0, max: FEEDBACK_LIMITS.comment, multiline: true }).optional(),
    /** Answers to the event's extra questions, by question id; empty answers are dropped. */
    answers: z
      .record(z.uuid("Not a question id."), textField({ what: "An answer", min: 0, max: FEEDBACK_LIMITS.answer, multiline: true }))
      .refine((a) => Object.keys(a).length <= FEEDBACK_LIMITS.questions, `At most ${FEEDBACK_LIMITS.questions} answers.`)
      .default({}),
  })
  .strict();

export const feedbackQuestionsSchema = z
  .object({
    questions: z
      .array(textField({ what: "Each question", min: 3, max: FEEDBACK_LIMITS.question }))
      .max(FEEDBACK_LIMITS.questions, `An event has at most ${FEEDBACK_LIMITS.questions} extra questions.`),
  })
  .strict();
