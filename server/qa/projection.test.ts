import { describe, expect, it } from "vitest";
import type { QuestionRow } from "../../db/schema";
import { projectOwn, projectQuestion, visibleTo } from "./projection";
import { interleaveByOrigin } from "./changes";

const row = (over: Partial<QuestionRow> = {}): QuestionRow => ({
  id: "q1",
  sessionId: "s1",
  authorId: "u-author",
  chatham: false,
  anonymous: false,
  authorName: "Ann Asker",
  authorAffiliation: "Agency",
  origin: "remote",
  text: "A question?",
  originalText: "a qestion",
  status: "approved",
  dismissReason: null,
  starred: true,
  tags: ["private"],
  routedTo: "u-panelist",
  mergedInto: null,
  panelOrder: 3,
  voteCount: 4,
  clientKey: "key12345",
  createdAt: new Date("2024-05-24T14:00:00Z"),
  updatedAt: new Date("2024-05-24T14:01:00Z"),
  answeredAt: null,
  version: 2,
  seq: 9,
  publishedSeq: 5,
  ...over,
});
const names = new Map([["u-panelist", "Pat Panelist"]]);

describe("question projections", () => {
  it("never carry the author's id, in any view", () => {
    for (const view of ["audience", "panel", "staff"] as const) expect(JSON.stringify(projectQuestion(row(), view, names))).not.toContain("u-author");
    expect(JSON.stringify(projectOwn(row(), null, new Map()))).not.toContain("u-author");
  });

  it("show the author only for a named on-record question", () => {
    expect(projectQuestion(row(), "audience", names).author).toEqual({ name: "Ann Asker", affiliation: "Agency" });
    expect(projectQuestion(row({ anonymous: true }), "staff", names).author).toBeNull();
    // Even a row that somehow held a name under the Rule (the database CHECK forbids it) shows none.
    expect(projectQuestion(row({ chatham: true }), "staff", names).author).toBeNull();
  });

  it("give each view its fields: tags and the original text to staff only", () => {
    expect(Object.keys(projectQuestion(row(), "audience", names)).sort()).toEqual([
      "answeredAt",
      "author",
      "createdAt",
      "id",
      "status",
      "text",
      "version",
      "votes",
    ]);
    const panel = projectQuestion(row(), "panel", names);
    expect(panel).toMatchObject({ routedTo: { id: "u-panelist", name: "Pat Panelist" }, origin: "remote", starred: true, panelOrder: 3 });
    expect(panel).not.toHaveProperty("tags");
    expect(projectQuestion(row(), "staff", names)).toMatchObject({ tags: ["private"], originalText: "a qestion" });
  });

  it("show the audience and panelists approved and answered questions only", () => {
    for (const s of ["pending", "dismissed", "merged"] as const) {
      expect(visibleTo("audience", s)).toBe(false);
      expect(visibleTo("panel", s)).toBe(false);
      expect(visibleTo("staff", s)).toBe(true);
    }
    expect(visibleTo("audience", "answered")).toBe(true);
  });

  it("tell the asker the dismissal reason and what it was merged into", () => {
    expect(projectOwn(row({ status: "dismissed", dismissReason: "Off topic" }), null, new Map())).toMatchObject({
      status: "dismissed",
      dismissReason: "Off topic",
    });
    expect(projectOwn(row({ status: "merged", mergedInto: "q2" }), null, new Map([["q2", "The other one?"]]))).toMatchObject({
      mergedInto: { id: "q2", text: "The other one?" },
    });
    expect(projectOwn(row(), "q1", new Map()).onStage).toBe(true);
  });
});

describe("interleaving the panel queue", () => {
  it("alternates room and remote, keeping each group's order, starting with the current first", () => {
    const q = (id: string, origin: "room" | "remote") => ({ id, origin });
    const out = interleaveByOrigin([q("r1", "remote"), q("r2", "remote"), q("r3", "remote"), q("m1", "room"), q("m2", "room")]);
    expect(out.map((x) => x.id)).toEqual(["r1", "m1", "r2", "m2", "r3"]);
    expect(interleaveByOrigin([])).toEqual([]);
  });
});
