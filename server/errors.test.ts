import { describe, expect, it } from "vitest";
import { z } from "../lib/schemas/zod";
import { AppError, parseInput } from "./errors";

const schema = z.object({
  limit: z.number().int().min(1).max(100),
  note: z.string().max(3).optional(),
  tags: z.array(z.string()).min(2).optional(),
  action: z.enum(["start", "stop"]).optional(),
  email: z.email("Give the participant's e-mail address.").optional(),
});

/** The message `parseInput` refuses `input` with (and that it refuses it as `invalid_payload`). */
function refusal(input: unknown): string {
  try {
    parseInput(schema, input);
  } catch (err) {
    expect(AppError.is(err) && err.code).toBe("invalid_payload");
    return (err as AppError).message;
  }
  throw new Error("accepted");
}

describe("what a malformed payload is told", () => {
  it("says zod's generic refusals in words, naming the field", () => {
    expect(refusal([])).toBe("The payload must be an object, not a list.");
    expect(refusal(null)).toBe("The payload must be an object, not null.");
    expect(refusal({})).toBe('"limit" is missing: it takes a number.');
    expect(refusal({ limit: "5" })).toBe('"limit" must be a number, not text.');
    expect(refusal({ limit: 1.5 })).toBe('"limit" must be a whole number.');
    expect(refusal({ limit: 0 })).toBe('"limit" must be at least 1.');
    expect(refusal({ limit: 101 })).toBe('"limit" must be at most 100.');
    expect(refusal({ limit: 1, note: "four" })).toBe('"note" must have at most 3 characters.');
    expect(refusal({ limit: 1, tags: ["a"] })).toBe('"tags" must have at least 2 items.');
    expect(refusal({ limit: 1, action: "explode" })).toBe('"action" must be one of "start", "stop".');
  });

  it("a query parameter coerced to a number: not a number, or not finite", () => {
    const query = z.object({ limit: z.coerce.number().int().min(1).optional() });
    const told = (limit: string) => {
      try {
        parseInput(query, { limit });
      } catch (err) {
        return (err as AppError).message;
      }
      throw new Error("accepted");
    };
    expect(told("abc")).toBe('"limit" must be a number.');
    expect(told("1e309")).toBe('"limit" must be a finite number.');
  });

  it("keeps a schema's own message, after the field's name", () => {
    expect(refusal({ limit: 1, email: "nope" })).toBe("email: Give the participant's e-mail address.");
  });
});
