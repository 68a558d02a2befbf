import { describe, expect, it } from "vitest";
import { checkQuestionText, cleanQuestionText } from "./qa";
import { normalizeWord } from "./polls";
import { moderationActionSchema, questionSubmitSchema } from "./schemas/qa";
import { pollDraftSchema } from "./schemas/polls";
import { agendaPatchSchema } from "./schemas/agenda";
import { auditFilterFrom } from "./schemas/audit";
import { captionSchema } from "./streaming";
import { checkText, isSlug, slugField, textField, visibleLength } from "./text";

/** Characters that render as nothing, each of which passed the old minimum. */
const INVISIBLE = {
  "Hangul filler U+3164": "\u3164\u3164\u3164\u3164",
  "Hangul choseong filler U+115F": "\u115f\u115f\u115f",
  "Hangul jungseong filler U+1160": "\u1160\u1160\u1160",
  "halfwidth Hangul filler U+FFA0": "\uffa0\uffa0\uffa0",
  "braille blank U+2800": "\u2800\u2800\u2800",
  "tag characters U+E0000–E007F": "\u{e0041}\u{e0042}\u{e0043}\u{e007f}",
  "zero-width and format characters": "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u061c\u180e",
  "variation selectors": "\ufe0f\ufe0e\u{e0100}\u{e01ef}",
  "combining grapheme joiner and marks alone": "\u034f\u0301\u0302",
  "ideographic and other spaces": "\u3000\u2003\u205f",
};

describe("visible characters", () => {
  it.each(Object.entries(INVISIBLE))("counts none in %s", (_, s) => expect(visibleLength(s)).toBe(0));

  it("counts letters, digits, punctuation and symbols in any script, and emoji", () => {
    expect(visibleLength("Why?")).toBe(4);
    expect(visibleLength("한국어")).toBe(3);
    expect(visibleLength("왜 ㅋ")).toBe(2);
    expect(visibleLength("₽ 5 €")).toBe(3);
    expect(visibleLength("👍🏽❤️")).toBe(3); // thumbs, skin tone (a symbol), heart; not the variation selector
  });

  it.each(Object.entries(INVISIBLE))("refuses a question, poll option, caption and reason made only of %s", (_, s) => {
    expect(checkQuestionText(s + s).ok).toBe(false);
    expect(questionSubmitSchema.safeParse({ slug: "fms-planning", key: "abcdefgh", text: `${s}ab${s}` }).success).toBe(false);
    expect(pollDraftSchema.safeParse({ kind: "single", question: "Which?", options: ["Yes", s], resultsVisibility: "live" }).success).toBe(false);
    expect(captionSchema.safeParse({ slug: "fms-planning", text: s }).success).toBe(false);
    expect(moderationActionSchema.safeParse({ type: "dismiss", reason: s }).success).toBe(false);
  });

  it("says what to fix", () => {
    expect(checkQuestionText("\u3164\u3164\u3164")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/at least 3 characters \(spaces and invisible characters do not count\)/),
    });
  });
});

describe("control characters", () => {
  const field = textField({ what: "The title", min: 1, max: 200 });
  it.each(["\u0000", "\u0001", "\u0007", "\u001b", "\u007f", "\u0085", "\u009f"])("refuses %j with a message naming it", (c) => {
    const r = field.safeParse(`Panel${c}one`);
    expect(r.success).toBe(false);
    const hex = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    expect(r.error!.issues[0].message).toBe(`The title contains a control character (U+${hex}); remove it and try again.`);
  });

  it("takes tabs and line breaks as spaces on one line, and keeps them where the field is multi-line", () => {
    expect(field.parse("  A\ttitle\r\non two lines  ")).toBe("A title on two lines");
    expect(textField({ max: 100, multiline: true }).parse("Line one\r\n\tLine two  \n")).toBe("Line one\n\tLine two");
  });

  it("NFC-normalises, trims, and counts the maximum in code points", () => {
    expect(field.parse(" Cafe\u0301 ")).toBe("Café");
    expect(checkText("😀".repeat(3), { max: 3 }).ok).toBe(true);
    expect(checkText("😀".repeat(4), { max: 3 })).toMatchObject({ ok: false, message: "The text has at most 3 characters; this one has 4." });
  });

  it("refuses them in the agenda, poll and audit-filter schemas", () => {
    expect(agendaPatchSchema.safeParse({ title: "Planning\u0000" }).success).toBe(false);
    expect(agendaPatchSchema.safeParse({ description: "Para one\n\nPara two" }).success).toBe(true);
    expect(pollDraftSchema.safeParse({ kind: "single", question: "Which\u0000?", options: ["a", "b"], resultsVisibility: "live" }).success).toBe(false);
    expect(auditFilterFrom({ actor: "x\u0000" }).success).toBe(false);
    expect(auditFilterFrom({ action: "question\u0001" }).success).toBe(false);
    expect(auditFilterFrom({ session: "fms-planning\u0000" }).success).toBe(false);
    expect(auditFilterFrom({ session: "fms-planning", action: "question:answer", actor: "Pat" }).success).toBe(true);
  });
});

describe("characters that hide or reorder text", () => {
  const sneaky = "\u202Etxt.exe\u202C and \u2066isolated\u2069 \u200Eand\u200F soft\u00ADhyphen\u200B\u2060\uFEFF";
  const plain = "txt.exe and isolated and softhyphen";

  it("go from every text field, one line or many, and do not count towards the minimum", () => {
    expect(textField({ what: "The title", min: 1, max: 200 }).parse(sneaky)).toBe(plain);
    expect(textField({ max: 200, multiline: true }).parse(`${sneaky}\n\u202Enext`)).toBe(`${plain}\nnext`);
    expect(checkText("\u202E\u200B", { min: 1, max: 10 })).toMatchObject({ ok: false });
  });

  it("go by the same rule from questions and word-cloud answers (display names: server/auth/display-name.test.ts); joiners stay", () => {
    expect(cleanQuestionText(sneaky)).toBe(plain);
    expect(normalizeWord("\u202Eevil\u202C\u200E")).toBe("evil");
    expect(textField({ max: 20 }).parse("👩\u200D💻 devs")).toBe("👩\u200D💻 devs");
  });
});

describe("slugs", () => {
  it("are the programme's pattern", () => {
    for (const ok of ["fms-planning", "break-thursday-0930", "reception"]) expect(isSlug(ok)).toBe(true);
    for (const bad of ["", "fms-planning\u0000", "\u0000", "FMS", "fms--planning", "-fms", "fms planning", "../etc", "fms_planning", "a".repeat(121)]) {
      expect(isSlug(bad), JSON.stringify(bad)).toBe(false);
      expect(slugField.safeParse(bad).success).toBe(false);
    }
    expect(slugField.safeParse("x\u0000").error!.issues[0].message).toMatch(/Not a session slug/);
  });
});
