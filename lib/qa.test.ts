import { describe, expect, it } from "vitest";
import { checkQuestionText, cleanQuestionText, ownStatusLabel, questionLength } from "./qa";
import { rankSimilar, similarity, textFeatures } from "./qa-similarity";
import { questionModerateSchema, questionSubmitSchema } from "./schemas/qa";

describe("the question text rule", () => {
  it("normalizes to NFC before counting, so a decomposed é is one character", () => {
    const decomposed = "Cafe\u0301 or tea?";
    expect(cleanQuestionText(decomposed)).toBe("Café or tea?");
    expect(questionLength(cleanQuestionText(decomposed))).toBe(12);
  });

  it("counts code points: an emoji outside the BMP is one character", () => {
    expect(questionLength("🚀🚀🚀")).toBe(3);
    expect(checkQuestionText("🚀🚀🚀")).toMatchObject({ ok: true, length: 3 });
  });

  it("refuses fewer than 3 and more than 500 characters after cleaning", () => {
    expect(checkQuestionText("  ab  ")).toMatchObject({
      ok: false,
      message: "A question needs at least 3 characters (spaces and invisible characters do not count).",
    });
    expect(checkQuestionText("\u202e\u200b\u0000ab")).toMatchObject({ ok: false });
    expect(checkQuestionText("x".repeat(500))).toMatchObject({ ok: true, length: 500 });
    expect(checkQuestionText("x".repeat(501))).toMatchObject({ ok: false, message: expect.stringMatching(/at most 500/) });
    // 520 spaces around 500 characters clean down to 500: allowed.
    expect(checkQuestionText(" ".repeat(10) + "y".repeat(500) + " ".repeat(10))).toMatchObject({ ok: true });
    expect(checkQuestionText("z".repeat(2001))).toMatchObject({ ok: false });
  });

  it("removes control characters, bidi overrides and isolates, and invisible characters", () => {
    const sneaky = "Why\u0007 is \u202Etxt.exe\u202C the \u2066answer\u2069?\u200B\uFEFF\u00AD";
    expect(cleanQuestionText(sneaky)).toBe("Why is txt.exe the answer?");
  });

  it("keeps zero-width joiners that scripts and emoji need", () => {
    expect(cleanQuestionText("👩\u200D💻 engineers?")).toBe("👩\u200D💻 engineers?");
  });

  it("collapses spaces, trims, keeps at most one empty line", () => {
    expect(cleanQuestionText("  one\t\ttwo  \r\n\r\n\r\n\r\nthree  ")).toBe("one two\n\nthree");
  });

  it("keeps HTML as text (pages render it as text)", () => {
    expect(cleanQuestionText("<script>alert(1)</script>")).toBe("<script>alert(1)</script>");
  });
});

describe("payload schemas", () => {
  it("strip forged fields from a submit", () => {
    const parsed = questionSubmitSchema.parse({
      slug: "s",
      key: "abcdefgh12",
      text: "  Is this fine?  ",
      status: "approved",
      authorId: "x",
      author: { name: "Forged" },
    });
    expect(parsed).toEqual({ slug: "s", key: "abcdefgh12", text: "Is this fine?", anonymous: true });
  });

  it("refuse bad keys, unknown actions and empty dismissal reasons", () => {
    expect(questionSubmitSchema.safeParse({ slug: "s", key: "short", text: "abc" }).success).toBe(false);
    const base = { slug: "s", key: "abcdefgh12", questionId: "7f0c2f51-8a1e-4a53-9a1f-5f1d2c3b4a59", expectedVersion: 1 };
    expect(questionModerateSchema.safeParse({ ...base, action: { type: "delete" } }).success).toBe(false);
    expect(questionModerateSchema.safeParse({ ...base, action: { type: "dismiss", reason: " \u202e " } }).success).toBe(false);
    expect(questionModerateSchema.parse({ ...base, action: { type: "tags", tags: [" Budget ", "budget", "LOGISTICS"] } }).action).toEqual({
      type: "tags",
      tags: ["budget", "logistics"],
    });
  });
});

describe("similar questions", () => {
  const asked = [
    { id: "1", text: "What is being done to improve FMS case timelines?" },
    { id: "2", text: "How does the industrial base keep up with partner demand for munitions?" },
    { id: "3", text: "Will the workforce initiative add training for security cooperation officers?" },
  ];

  it("finds a paraphrase with other word forms, and not unrelated questions", () => {
    const found = rankSimilar("How will the FMS case timeline be improved?", asked);
    expect(found.map((f) => f.id)).toEqual(["1"]);
    expect(found[0].score).toBeGreaterThan(0.5);
  });

  it("tolerates a typo through trigrams", () => {
    const a = textFeatures("industrial base munitions demand");
    const b = textFeatures("industral base munition demands");
    expect(similarity(a, b)).toBeGreaterThan(0.5);
  });

  it("returns nothing for stop words only", () => {
    expect(rankSimilar("what is the", asked)).toEqual([]);
  });
});

describe("own status labels", () => {
  it("say awaiting review, merged into …, dismissed with the reason, on stage", () => {
    expect(ownStatusLabel({ status: "pending", onStage: false, mergedInto: null, dismissReason: null })).toBe("Awaiting review");
    expect(ownStatusLabel({ status: "merged", onStage: false, mergedInto: { id: "x", text: "Budget?" }, dismissReason: null })).toBe("Merged into “Budget?”");
    expect(ownStatusLabel({ status: "dismissed", onStage: false, mergedInto: null, dismissReason: "Off topic" })).toBe("Dismissed: Off topic");
    expect(ownStatusLabel({ status: "approved", onStage: true, mergedInto: null, dismissReason: null })).toBe("On stage now");
  });
});
