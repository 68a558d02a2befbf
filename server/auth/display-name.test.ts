import { describe, expect, it } from "vitest";
import { displayNameSchema } from "./service";

describe("display names", () => {
  it("lose the characters that hide or reorder text, by the rule every text field follows (lib/text.ts)", () => {
    expect(displayNameSchema.parse("Ada\u202E nimdA\u202C")).toBe("Ada nimdA");
    expect(displayNameSchema.parse("\u2066Ada\u2069\u200E \u200BLovelace\u00AD")).toBe("Ada Lovelace");
    // Joiners stay: several scripts and emoji need them.
    expect(displayNameSchema.parse("👩\u200D💻 Ada")).toBe("👩\u200D💻 Ada");
  });

  it("may be empty (no name), but not only invisible characters", () => {
    expect(displayNameSchema.parse("  ")).toBe("");
    expect(displayNameSchema.safeParse("\u202E\u200B").success).toBe(true);
    expect(displayNameSchema.safeParse("\u3164\u3164").success).toBe(false);
  });
});
