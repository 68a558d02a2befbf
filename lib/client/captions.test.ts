import { describe, expect, it } from "vitest";
import type { CaptionLine } from "../captions";
import { normalizeLang, parseSeq } from "../captions";
import { applyCaptionFeed, applyCaptionLine, captionLanguages, initialCaptions, MAX_CAPTION_LINES } from "./captions";

const line = (seq: number, text: string, lang = "en-US", final = true): CaptionLine => ({ slug: "s", lang, text, final, at: "2024-05-24T13:00:00Z", seq });

describe("the caption engine", () => {
  it("orders lines by seq per track, ignores a repeated seq and replaces interim lines", () => {
    let s = initialCaptions;
    for (const l of [line(1, "one"), line(3, "three"), line(2, "two"), line(2, "two again"), line(1, "uno", "es-ES")]) s = applyCaptionLine(s, l);
    expect(s.tracks["en-US"].map((l) => l.text)).toEqual(["one", "two", "three"]);
    expect(s.tracks["es-ES"].map((l) => l.text)).toEqual(["uno"]);
    expect(s.lastSeq).toEqual({ "en-US": 3, "es-ES": 1 });
    s = applyCaptionLine(s, line(4, "fou", "en-US", false));
    s = applyCaptionLine(s, line(5, "four", "en-US"));
    expect(s.tracks["en-US"].map((l) => l.text)).toEqual(["one", "two", "three", "four"]);
    expect(captionLanguages(s)).toEqual(["en-US", "es-ES"]);
  });

  it("keeps the last lines only, and a caption ends a stall", () => {
    let s = applyCaptionFeed(initialCaptions, {
      slug: "s",
      state: "stalled",
      tracks: [{ lang: "fr-FR", lastSeq: 9, lastAt: "x" }],
      kept: false,
      published: false,
    });
    expect(captionLanguages(s)).toEqual(["fr-FR"]);
    for (let i = 1; i <= MAX_CAPTION_LINES + 5; i++) s = applyCaptionLine(s, line(i, `l${i}`));
    expect(s.tracks["en-US"]).toHaveLength(MAX_CAPTION_LINES);
    expect(s.tracks["en-US"][0].text).toBe("l6");
    expect(s.feed?.state).toBe("live");
    expect(s.lastSeq["fr-FR"]).toBe(9);
  });

  it("reads seq and lang the way captioners send them", () => {
    expect([parseSeq("0"), parseSeq("42"), parseSeq(null), parseSeq("-1"), parseSeq("1.5"), parseSeq("99999999999"), parseSeq("")]).toEqual([
      0,
      42,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect([
      normalizeLang("en-us"),
      normalizeLang("ES-es"),
      normalizeLang("zh-hans-cn"),
      normalizeLang("fr"),
      normalizeLang("e"),
      normalizeLang("en_US"),
    ]).toEqual(["en-US", "es-ES", "zh-Hans-CN", "fr", null, null]);
  });
});
