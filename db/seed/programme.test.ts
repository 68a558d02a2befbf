import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { programme, policyFor } from "./programme";

/** Reads times and titles straight from the organizers' markdown, so the table cannot drift from it. */
function parseSeed(): Array<{ day: string; start: string; end: string; title: string }> {
  const md = fs.readFileSync(new URL("./fms-symposium-2024-agenda.md", import.meta.url), "utf8");
  const out: Array<{ day: string; start: string; end: string; title: string }> = [];
  let day = "";
  for (const line of md.split("\n")) {
    if (/^Thursday, May 23, 2024/.test(line)) day = "2024-05-23";
    if (/^Friday, May 24, 2024/.test(line)) day = "2024-05-24";
    const m = /^(\d{2})(\d{2}) – (\d{2})(\d{2}) (.+?)\s*$/.exec(line);
    if (m) out.push({ day, start: `${m[1]}:${m[2]}`, end: `${m[3]}:${m[4]}`, title: m[5].replace(/\*\*/g, "").trim() });
  }
  return out;
}

const normalize = (t: string) => t.toLowerCase().replace(/\s+/g, " ");

describe("the FMS 2024 programme", () => {
  const seed = parseSeed();

  it("has exactly the seed's items, in order, with the seed's times", () => {
    expect(seed).toHaveLength(19);
    expect(programme.map((p) => [p.day, p.start, p.end])).toEqual(seed.map((s) => [s.day, s.start, s.end]));
  });

  it("keeps the seed's titles (breaks written as 'Break')", () => {
    programme.forEach((p, i) => expect(normalize(p.title)).toBe(normalize(seed[i].title)));
  });

  it("keeps the 15:45–16:00 gap on Thursday", () => {
    const thursday = programme.filter((p) => p.day === "2024-05-23");
    expect(thursday.some((p) => p.start < "16:00" && p.end > "15:45")).toBe(false);
  });

  it("carries the seed's topic and panel descriptions word for word", () => {
    // The seed's page break splits one italic paragraph in two ("…implementation* *continuum…").
    const md = fs
      .readFileSync(new URL("./fms-symposium-2024-agenda.md", import.meta.url), "utf8")
      .replace(/\*/g, "")
      .replace(/\s+/g, " ");
    expect(programme.find((p) => p.slug === "welcome-and-opening-remarks")?.topic).toBe("Institutionalizing Excellence in FMS");
    const described = programme.filter((p) => p.description);
    expect(described.map((p) => p.slug)).toEqual([
      "fms-planning",
      "fms-case-development",
      "fms-prioritization-and-possibilities",
      "fms-infrastructure-industrial-base",
    ]);
    for (const p of described) expect(md).toContain(p.description!);
  });

  it("applies the event's rules: Day 1 Chatham House and never streamed; Day 2 streamed programme sessions", () => {
    for (const p of programme) {
      const policy = policyFor(p);
      if (p.day === "2024-05-23") {
        expect(policy).toMatchObject({ rule: "chatham_house", streamed: false, recordingAllowed: false });
      } else {
        expect(policy.rule).toBe("on_record");
        expect(policy.host).toBe("OUSD(A&S)");
        expect(policy.streamed).toBe(p.kind !== "break");
      }
      if (["registration", "break", "meal", "reception"].includes(p.kind)) expect(policy).toMatchObject({ qaEnabled: false, pollsEnabled: false });
    }
  });

  it("has unique slugs", () => {
    expect(new Set(programme.map((p) => p.slug)).size).toBe(programme.length);
  });
});
