import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { formatCount, normalizeWord, type PollAnswer } from "../../lib/polls";
import { pollDraftSchema } from "../../lib/schemas/polls";
import { AppError } from "../errors";
import { csvCell, resultsCsv } from "./csv";
import { checkAnswer, projectResults, resultsPublic, tally, visibleTo, type AnswerGroup, type PollDefinition } from "./rules";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";
const C = "00000000-0000-4000-8000-00000000000c";
const options = [
  { id: A, label: "Alpha" },
  { id: B, label: "Bravo" },
  { id: C, label: "Charlie" },
];
const single: PollDefinition = { id: "p1", kind: "single", options, maxPicks: null, scaleMax: null, lowLabel: null, highLabel: null };
const multiple: PollDefinition = { ...single, id: "p2", kind: "multiple", maxPicks: 2 };
const rating: PollDefinition = { id: "p3", kind: "rating", options: [], maxPicks: null, scaleMax: 5, lowLabel: "Poor", highLabel: "Excellent" };
const cloud: PollDefinition = { id: "p4", kind: "word_cloud", options: [], maxPicks: null, scaleMax: null, lowLabel: null, highLabel: null };

/** Answers as the database would group them: each stored answer once. */
function groups(def: PollDefinition, answers: PollAnswer[]): AnswerGroup[] {
  const out = new Map<string, AnswerGroup>();
  for (const a of answers) {
    const s = checkAnswer(def, a);
    const key = JSON.stringify(s);
    const g = out.get(key) ?? { ...s, n: 0 };
    g.n++;
    out.set(key, g);
  }
  return [...out.values()];
}

const open = (ctx: Partial<{ chathamHouse: boolean }> = {}) => ({ chathamHouse: false, seq: 7, at: new Date("2024-05-24T14:00:00Z"), ...ctx });
const counts = (r: { rows: Array<{ count: unknown }> }) => r.rows.map((x) => x.count);

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (AppError.is(err)) return err.code;
    throw err;
  }
  return "accepted";
}

describe("tallies for every kind", () => {
  it("single choice counts one per respondent, in option order", () => {
    const t = tally(
      single,
      groups(single, [
        { kind: "single", optionId: B },
        { kind: "single", optionId: A },
        { kind: "single", optionId: B },
      ]),
    );
    expect(t.respondents).toBe(3);
    expect(t.rows).toEqual([
      { key: A, label: "Alpha", count: 1 },
      { key: B, label: "Bravo", count: 2 },
      { key: C, label: "Charlie", count: 0 },
    ]);
  });

  it("multiple choice counts each pick, respondents once", () => {
    const t = tally(
      multiple,
      groups(multiple, [
        { kind: "multiple", optionIds: [A, B] },
        { kind: "multiple", optionIds: [B, A] },
        { kind: "multiple", optionIds: [C] },
      ]),
    );
    expect(t.respondents).toBe(3);
    expect(t.rows.map((r) => r.count)).toEqual([2, 2, 1]);
  });

  it("rating counts every value of the scale, labels the ends and sums for the mean", () => {
    const t = tally(
      rating,
      groups(
        rating,
        [1, 5, 5, 4].map((value) => ({ kind: "rating" as const, value })),
      ),
    );
    expect(t.rows.map((r) => [r.label, r.count])).toEqual([
      ["1 — Poor", 1],
      ["2", 0],
      ["3", 0],
      ["4", 1],
      ["5 — Excellent", 2],
    ]);
    expect(t.ratingSum).toBe(15);
    expect(projectResults(rating, t, open()).mean).toBe(3.75);
  });

  it("a word cloud counts normalized words, most frequent first", () => {
    const t = tally(
      cloud,
      groups(
        cloud,
        ["Workforce", "  workforce ", "WORKFORCE!", "Ｗｏｒｋｆｏｒｃｅ", "trust", "Trust"].map((text) => ({ kind: "word_cloud" as const, text })),
      ),
    );
    expect(t.respondents).toBe(6);
    expect(t.rows).toEqual([
      { key: "workforce", label: "workforce", count: 4 },
      { key: "trust", label: "trust", count: 2 },
    ]);
  });

  it("an empty poll has zero everywhere", () => {
    const r = projectResults(single, tally(single, []), open());
    expect(r.respondents).toBe(0);
    expect(counts(r)).toEqual([0, 0, 0]);
    expect(r.rows.every((x) => x.percent === null)).toBe(true);
  });

  it("a word cloud shows its top words and counts the rest together", () => {
    const answers = Array.from({ length: 60 }, (_, i) => ({ kind: "word_cloud" as const, text: `word${String(i).padStart(2, "0")}` }));
    const r = projectResults(cloud, tally(cloud, groups(cloud, answers)), open());
    expect(r.rows).toHaveLength(50);
    expect(r.otherAnswers).toBe(10);
  });
});

describe("word-cloud normalization", () => {
  it.each([
    ["  Security   Cooperation ", "security cooperation"],
    ["SECURITY\tcooperation", "security cooperation"],
    ["ＦＭＳ", "fms"], // full-width letters (NFKC)
    ["ﬁnance", "finance"], // ligature
    ["Cafe\u0301", "café"], // combining accent composes
    ["café", "café"],
    ["Straße", "strasse"], // case folding, not only lower-casing
    ["STRASSE", "strasse"],
    ["zero\u200bwidth", "zero width"],
    ["«Trust»", "trust"],
    ["...speed!!!", "speed"],
    ["co-production", "co-production"],
    ["C++", "c++"],
    ["$5B", "$5b"],
    ["👍", "👍"],
    ["👩\u200d💻 Devs", "👩\u200d💻 devs"], // the zero-width joiner of an emoji stays
    ["\u202Eevil\u202C", "evil"], // no bidirectional overrides on the room screen
    ["co\u00ADoperation", "cooperation"], // soft hyphen
    ["   ", ""],
    ["!!!", ""],
  ])("%j → %j", (input, expected) => {
    expect(normalizeWord(input)).toBe(expected);
  });

  it("refuses an answer with nothing countable, or one that is too long", () => {
    expect(refusal(() => checkAnswer(cloud, { kind: "word_cloud", text: " ?! " }))).toBe("invalid_answer");
    expect(refusal(() => checkAnswer(cloud, { kind: "word_cloud", text: "x".repeat(41) }))).toBe("invalid_answer");
    expect(checkAnswer(cloud, { kind: "word_cloud", text: "x".repeat(40) }).word).toHaveLength(40);
  });
});

describe("answers are checked against the definition", () => {
  it("refuses unknown options, too many picks, out-of-range ratings and the wrong kind with clear codes", () => {
    expect(refusal(() => checkAnswer(single, { kind: "single", optionId: "00000000-0000-4000-8000-0000000000ff" }))).toBe("unknown_option");
    expect(refusal(() => checkAnswer(multiple, { kind: "multiple", optionIds: [A, "00000000-0000-4000-8000-0000000000ff"] }))).toBe("unknown_option");
    expect(refusal(() => checkAnswer(multiple, { kind: "multiple", optionIds: [A, B, C] }))).toBe("too_many_picks");
    expect(refusal(() => checkAnswer(multiple, { kind: "multiple", optionIds: [A, A] }))).toBe("invalid_answer");
    // More picks than allowed is too_many_picks, whatever else is wrong with them.
    const eleven = [A, B, C, ...Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-0000000001${String(i).padStart(2, "0")}`)];
    expect(refusal(() => checkAnswer(multiple, { kind: "multiple", optionIds: eleven }))).toBe("too_many_picks");
    expect(refusal(() => checkAnswer(multiple, { kind: "multiple", optionIds: [A, A, A] }))).toBe("too_many_picks");
    expect(refusal(() => checkAnswer(rating, { kind: "rating", value: 0 }))).toBe("rating_out_of_range");
    expect(refusal(() => checkAnswer(rating, { kind: "rating", value: 6 }))).toBe("rating_out_of_range");
    expect(refusal(() => checkAnswer(single, { kind: "rating", value: 1 }))).toBe("invalid_answer");
    expect(checkAnswer(rating, { kind: "rating", value: 5 })).toEqual({ optionIds: null, rating: 5, word: null });
    expect(checkAnswer(multiple, { kind: "multiple", optionIds: [B, A] }).optionIds).toEqual([A, B]);
  });

  it("a 1–10 scale takes 10", () => {
    expect(checkAnswer({ ...rating, scaleMax: 10 }, { kind: "rating", value: 10 }).rating).toBe(10);
  });
});

describe("results visibility", () => {
  const at = new Date();
  const staff = { manage: true, viewResults: true };
  const panel = { manage: false, viewResults: true };
  const audience = { manage: false, viewResults: false };
  const cases: Array<[string, Parameters<typeof resultsPublic>[0], boolean]> = [
    ["a draft", { status: "draft", resultsVisibility: "live", publishedAt: null }, false],
    ["live, open", { status: "open", resultsVisibility: "live", publishedAt: null }, true],
    ["live, closed", { status: "closed", resultsVisibility: "live", publishedAt: null }, true],
    ["after close, open", { status: "open", resultsVisibility: "after_close", publishedAt: null }, false],
    ["after close, closed", { status: "closed", resultsVisibility: "after_close", publishedAt: null }, true],
    ["published only, closed", { status: "closed", resultsVisibility: "published", publishedAt: null }, false],
    ["published only, published", { status: "closed", resultsVisibility: "published", publishedAt: at }, true],
  ];
  it.each(cases)("audience sees results of %s: %s", (_name, state, expected) => {
    expect(resultsPublic(state)).toBe(expected);
    expect(visibleTo(audience, state).results).toBe(expected);
  });

  it("drafts are seen only by those who run polls; staff and panelists see results live", () => {
    const draft = { status: "draft" as const, resultsVisibility: "published" as const, publishedAt: null };
    const running = { status: "open" as const, resultsVisibility: "published" as const, publishedAt: null };
    expect(visibleTo(staff, draft)).toEqual({ poll: true, results: false });
    expect(visibleTo(panel, draft)).toEqual({ poll: false, results: false });
    expect(visibleTo(audience, draft)).toEqual({ poll: false, results: false });
    expect(visibleTo(staff, running)).toEqual({ poll: true, results: true });
    expect(visibleTo(panel, running)).toEqual({ poll: true, results: true });
    expect(visibleTo(audience, running)).toEqual({ poll: true, results: false });
  });
});

describe("small-count suppression under the Chatham House Rule (the projection)", () => {
  const chatham = open({ chathamHouse: true });
  const singles = (ids: string[]) =>
    groups(
      single,
      ids.map((optionId) => ({ kind: "single" as const, optionId })),
    );

  it("on the record, every count is exact", () => {
    const r = projectResults(single, tally(single, singles([A, A, A, B])), open());
    expect(counts(r)).toEqual([3, 1, 0]);
    expect(r.respondents).toBe(4);
    expect(r.suppressed).toBe(false);
    expect(r.rows[0].percent).toBe(75);
  });

  it("counts below 3 (zero included) become 'fewer than 3'", () => {
    const r = projectResults(single, tally(single, singles([A, A, A, B, C, C])), chatham);
    expect(counts(r)).toEqual([3, { fewerThan: 3 }, { fewerThan: 3 }]);
    expect(r.respondents).toBe(6);
    expect(r.suppressed).toBe(true);
    expect(formatCount(r.rows[1].count)).toBe("fewer than 3");
    const none = projectResults(single, tally(single, []), chatham);
    expect(counts(none)).toEqual([{ fewerThan: 3 }, { fewerThan: 3 }, { fewerThan: 3 }]);
    expect(none.respondents).toEqual({ fewerThan: 3 });
  });

  it("one answer is never visible as a number anywhere in the results", () => {
    const r = projectResults(single, tally(single, singles([B])), chatham);
    expect(r.respondents).toEqual({ fewerThan: 3 });
    expect(counts(r)).toEqual([{ fewerThan: 3 }, { fewerThan: 3 }, { fewerThan: 3 }]);
    expect(r.rows.every((x) => x.percent === null)).toBe(true);
  });

  it("a single hidden count cannot be worked out from the total or the percentages", () => {
    // Alpha 8, Bravo 3, Charlie 1: with an exact total of 12, Charlie would be 12 − 8 − 3.
    const r = projectResults(single, tally(single, singles([...Array(8).fill(A), B, B, B, C])), chatham);
    expect(counts(r)).toEqual([8, 3, { fewerThan: 3 }]);
    expect(r.respondents).toEqual({ atLeast: 11 });
    expect(r.rows.every((x) => x.percent === null)).toBe(true);
    // With two hidden counts the total may be exact: their sum does not single anyone out.
    const two = projectResults(single, tally(single, singles([...Array(8).fill(A), B, C])), chatham);
    expect(two.respondents).toBe(10);
    expect(two.rows[0].percent).toBe(80);
  });

  it("a rating's mean is shown only when no count is hidden", () => {
    const few = projectResults(
      rating,
      tally(
        rating,
        groups(
          rating,
          [5, 5, 5, 4, 4, 4, 1].map((value) => ({ kind: "rating" as const, value })),
        ),
      ),
      chatham,
    );
    expect(few.mean).toBeNull();
    const all = projectResults(
      rating,
      tally(
        rating,
        groups(
          rating,
          [1, 2, 3, 4, 5].flatMap((value) => Array(3).fill({ kind: "rating" as const, value })),
        ),
      ),
      chatham,
    );
    expect(all.mean).toBe(3);
    expect(all.suppressed).toBe(false);
  });

  it("words given by fewer than 3 people are not shown at all", () => {
    const r = projectResults(
      cloud,
      tally(
        cloud,
        groups(
          cloud,
          ["trust", "Trust", "TRUST", "my agency name", "speed", "speed"].map((text) => ({ kind: "word_cloud" as const, text })),
        ),
      ),
      chatham,
    );
    expect(r.rows.map((x) => [x.label, x.count])).toEqual([["trust", 3]]);
    expect(r.otherAnswers).toEqual(3);
    expect(JSON.stringify(r)).not.toContain("agency");
    expect(JSON.stringify(r)).not.toContain("speed");
    const one = projectResults(cloud, tally(cloud, groups(cloud, [{ kind: "word_cloud", text: "unique" }])), chatham);
    expect(one.rows).toEqual([]);
    expect(one.otherAnswers).toEqual({ fewerThan: 3 });
    expect(one.respondents).toEqual({ fewerThan: 3 });
  });

  it("a word cloud's hidden 'other answers' cannot be worked out from the respondents minus the words shown", () => {
    // trust 3, speed 3, one unique answer: an exact total of 7 would give away 7 − 3 − 3 = 1.
    const words = ["trust", "trust", "trust", "speed", "speed", "speed", "my agency name"];
    const r = projectResults(
      cloud,
      tally(
        cloud,
        groups(
          cloud,
          words.map((text) => ({ kind: "word_cloud" as const, text })),
        ),
      ),
      chatham,
    );
    expect(r.rows.map((x) => [x.label, x.count])).toEqual([
      ["speed", 3],
      ["trust", 3],
    ]);
    expect(r.otherAnswers).toEqual({ fewerThan: 3 });
    expect(r.respondents).toEqual({ atLeast: 6 });
    expect(r.rows.every((x) => x.percent === null)).toBe(true);
    expect(r.suppressed).toBe(true);
    // With 3 or more other answers the total may be exact: that sum singles nobody out.
    const more = projectResults(
      cloud,
      tally(
        cloud,
        groups(
          cloud,
          [...words, "a", "b"].map((text) => ({ kind: "word_cloud" as const, text })),
        ),
      ),
      chatham,
    );
    expect(more.respondents).toBe(9);
    expect(more.otherAnswers).toBe(3);
  });

  it("multiple choice hides small counts too", () => {
    const r = projectResults(
      multiple,
      tally(
        multiple,
        groups(
          multiple,
          [[A, B], [A], [A, C]].map((optionIds) => ({ kind: "multiple" as const, optionIds })),
        ),
      ),
      chatham,
    );
    expect(counts(r)).toEqual([3, { fewerThan: 3 }, { fewerThan: 3 }]);
  });
});

describe("CSV export", () => {
  it("neutralizes spreadsheet formulas and quotes what needs quoting", () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tcmd")).toBe("'\tcmd");
    expect(csvCell("\rcmd")).toBe(`"'\rcmd"`);
    expect(csvCell("a, b")).toBe(`"a, b"`);
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(12)).toBe("12");
    expect(csvCell(null)).toBe("");
  });

  it("exports totals as the projection gives them", () => {
    const results = projectResults(single, tally(single, singles2()), open({ chathamHouse: true }));
    const poll = {
      id: "p1",
      kind: "single" as const,
      question: "=cmd|' /C calc'!A0",
      options,
      maxPicks: null,
      scaleMax: null,
      lowLabel: null,
      highLabel: null,
      resultsVisibility: "live" as const,
      status: "closed" as const,
      published: false,
      durationSeconds: null,
      closesAt: null,
      openedAt: null,
      closedAt: null,
      createdAt: "",
      version: 3,
      resultsPublic: true,
    };
    const csv = resultsCsv([{ number: 1, poll, results }]);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const lines = csv.slice(1).trim().split("\r\n");
    expect(lines[0]).toBe("Poll,Question,Kind,Status,Answer,Count,Percent of respondents,Respondents");
    expect(lines[1]).toBe(`1,'=cmd|' /C calc'!A0,Single choice,Closed,Alpha,3,,at least 6`);
    expect(lines[2]).toBe(`1,'=cmd|' /C calc'!A0,Single choice,Closed,Bravo,fewer than 3,,at least 6`);
  });
});

describe("CSV export read back by a spreadsheet parser (csv-parse)", () => {
  it("gives the same cells, quotes, commas, line breaks, spaces and formulas included", () => {
    const results = projectResults(single, tally(single, singles2()), open({ chathamHouse: false }));
    const question = 'Which "partner" matters,\nmost? =1+1 ';
    const poll = { ...basePoll(), question, status: "closed" as const };
    const csv = resultsCsv([{ number: 7, poll, results }]);
    const records: string[][] = parse(csv, { bom: true, relax_column_count: false });
    expect(records[0]).toEqual(["Poll", "Question", "Kind", "Status", "Answer", "Count", "Percent of respondents", "Respondents"]);
    expect(records).toHaveLength(1 + results.rows.length);
    results.rows.forEach((row, i) => {
      expect(records[i + 1]).toEqual([
        "7",
        question,
        "Single choice",
        "Closed",
        row.label,
        String(formatCount(row.count)),
        row.percent === null ? "" : String(row.percent),
        String(formatCount(results.respondents)),
      ]);
    });
    // A cell that starts like a formula comes back with its apostrophe, so the spreadsheet shows text.
    const formula = resultsCsv([{ number: 1, poll: { ...poll, question: '=HYPERLINK("http://x")' }, results }]);
    expect(parse(formula, { bom: true })[1][1]).toBe('\'=HYPERLINK("http://x")');
  });
});

function basePoll() {
  return {
    id: "p1",
    kind: "single" as const,
    question: "",
    options,
    maxPicks: null,
    scaleMax: null,
    lowLabel: null,
    highLabel: null,
    resultsVisibility: "live" as const,
    status: "closed" as const,
    published: false,
    durationSeconds: null,
    closesAt: null,
    openedAt: null,
    closedAt: null,
    createdAt: "",
    version: 3,
    resultsPublic: true,
  };
}

function singles2(): AnswerGroup[] {
  return [
    { optionIds: [A], rating: null, word: null, n: 3 },
    { optionIds: [B], rating: null, word: null, n: 1 },
    { optionIds: [C], rating: null, word: null, n: 3 },
  ];
}

describe("draft schema", () => {
  it("accepts each kind and refuses impossible limits", () => {
    const base = { question: "Which?", resultsVisibility: "live" };
    expect(pollDraftSchema.safeParse({ ...base, kind: "single", options: ["a", "b"] }).success).toBe(true);
    expect(pollDraftSchema.safeParse({ ...base, kind: "single", options: ["a"] }).success).toBe(false);
    expect(pollDraftSchema.safeParse({ ...base, kind: "single", options: ["a", "A"] }).success).toBe(false);
    expect(pollDraftSchema.safeParse({ ...base, kind: "multiple", options: ["a", "b"], maxPicks: 3 }).success).toBe(false);
    expect(pollDraftSchema.safeParse({ ...base, kind: "rating", scaleMax: 7, lowLabel: "l", highLabel: "h" }).success).toBe(false);
    expect(pollDraftSchema.safeParse({ ...base, kind: "rating", scaleMax: 10, lowLabel: "l", highLabel: "h" }).success).toBe(true);
    expect(pollDraftSchema.safeParse({ ...base, kind: "word_cloud", durationSeconds: 5 }).success).toBe(false);
    expect(pollDraftSchema.safeParse({ ...base, kind: "word_cloud", question: "  " }).success).toBe(false);
  });
});
