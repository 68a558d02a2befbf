import { describe, expect, it } from "vitest";
import type { SessionRoleName } from "../../db/schema";
import type { Actor } from "./actor";
import { actions, authorize, type Action, type PolicySession } from "./policy";

const day1Panel: PolicySession = {
  id: "s1",
  kind: "panel",
  rule: "chatham_house",
  streamed: false,
  recordingAllowed: false,
  qaEnabled: true,
  pollsEnabled: true,
};
const day2Panel: PolicySession = { id: "s2", kind: "panel", rule: "on_record", streamed: true, recordingAllowed: true, qaEnabled: true, pollsEnabled: true };
const day2NoRecording: PolicySession = { ...day2Panel, id: "s3", recordingAllowed: false };
const lunch: PolicySession = { id: "s4", kind: "meal", rule: "chatham_house", streamed: false, recordingAllowed: false, qaEnabled: false, pollsEnabled: false };

function actor(kind: "person" | "device", opts: { organizer?: boolean; checkIn?: boolean; roles?: Record<string, SessionRoleName[]> } = {}): Actor {
  return {
    userId: "u",
    kind,
    name: "x",
    email: null,
    affiliation: null,
    attendanceMode: "remote",
    isOrganizer: opts.organizer ?? false,
    isCheckIn: opts.checkIn ?? false,
    isDemo: false,
    sessionRoles: new Map(Object.entries(opts.roles ?? {}).map(([k, v]) => [k, new Set(v)])),
    authSessionHash: "h",
  };
}

const roles = {
  anonymous: null,
  "device (joined s1 and s2)": actor("device", { roles: { s1: ["attendee"], s2: ["attendee"] } }),
  "device (joined elsewhere)": actor("device", { roles: { s9: ["attendee"] } }),
  "registered attendee": actor("person"),
  "panelist of s1 and s2": actor("person", { roles: { s1: ["panelist"], s2: ["panelist"] } }),
  "moderator of s1 and s2": actor("person", { roles: { s1: ["moderator"], s2: ["moderator"] } }),
  organizer: actor("person", { organizer: true }),
  // The registration desk and nothing else staff may do; a registered person everywhere else.
  "check-in helper": actor("person", { checkIn: true }),
} as const;
type RoleName = keyof typeof roles;
const all = Object.keys(roles) as RoleName[];
const audience: RoleName[] = [
  "device (joined s1 and s2)",
  "registered attendee",
  "panelist of s1 and s2",
  "moderator of s1 and s2",
  "organizer",
  "check-in helper",
];
const staff: RoleName[] = ["moderator of s1 and s2", "organizer"];
const staffAndPanel: RoleName[] = ["panelist of s1 and s2", ...staff];

/** action → session → the roles that may do it; every other role must be refused. */
const expected: Array<[Action, PolicySession | undefined, RoleName[]]> = [
  ["agenda:edit", undefined, ["organizer"]],
  ["participants:import", undefined, ["organizer"]],
  ["roles:manage", undefined, ["organizer"]],
  ["audit:read", undefined, ["organizer"]],
  ["admin:view", undefined, ["organizer"]],
  ["report:read", undefined, ["organizer"]],
  ["checkin:desk", undefined, ["organizer", "check-in helper"]],
  ["qa:configure", day1Panel, staff],
  ["question:moderate", day1Panel, staff],
  ["question:moderate", lunch, []],
  ["question:answer", day1Panel, staffAndPanel],
  ["panel:view", day1Panel, staffAndPanel],
  ["screen:view", day1Panel, staffAndPanel],
  ["screen:view", lunch, []],
  ["poll:manage", day1Panel, staff],
  ["poll:view-results", day1Panel, staffAndPanel],
  ["attendance:view", day2Panel, staff],
  ["questions:export", day1Panel, staff],
  ["questions:export", day2Panel, staff],
  ["feedback:give", day1Panel, audience],
  ["feedback:give", lunch, []],
  ["question:ask", day1Panel, audience],
  ["question:vote", day1Panel, audience],
  ["question:ask", lunch, []],
  ["poll:answer", day1Panel, audience],
  ["stream:view", day1Panel, []],
  ["stream:publish", day1Panel, []],
  ["stream:control", day1Panel, []],
  ["recording:control", day1Panel, []],
  ["hand:raise", day1Panel, []],
  ["stream:view", day2Panel, audience],
  ["hand:raise", day2Panel, audience],
  ["stream:publish", day2Panel, ["panelist of s1 and s2", "moderator of s1 and s2"]],
  ["stream:control", day2Panel, staff],
  ["recording:control", day2Panel, staff],
  ["recording:control", day2NoRecording, []],
  ["recording:manage", day1Panel, []],
  ["recording:manage", day2Panel, ["organizer"]],
  ["recording:watch", day1Panel, []],
  ["recording:watch", day2Panel, audience],
  // Captions serve the room too: Chatham House sessions have them live (never kept).
  ["caption:publish", day1Panel, staff],
  ["caption:publish", day2Panel, staff],
  ["caption:manage", day1Panel, staff],
  ["caption:manage", day2Panel, staff],
  ["caption:export", day1Panel, []],
  ["caption:export", day2NoRecording, []],
  ["caption:export", day2Panel, ["organizer"]],
  // Private notes to the panel: producers send, panelists acknowledge, the audience never reads them.
  ["note:send", day1Panel, staff],
  ["note:read", day1Panel, staffAndPanel],
  ["note:ack", day1Panel, ["panelist of s1 and s2"]],
  ["note:send", day2Panel, staff],
];

describe("the role × action policy", () => {
  it("covers every action", () => {
    expect(new Set(expected.map(([a]) => a))).toEqual(new Set(Object.keys(actions)));
  });

  for (const [action, session, allowed] of expected) {
    it(`${action}${session ? ` on ${session.id} (${session.rule}, ${session.kind})` : ""}: only ${allowed.join(", ") || "nobody"}`, () => {
      for (const role of all) {
        const d = authorize(roles[role], action, session);
        expect({ role, allowed: d.allowed }).toEqual({ role, allowed: allowed.includes(role) });
        if (!d.allowed) {
          expect(d.code).toBe(role === "anonymous" ? "unauthenticated" : "forbidden");
          expect(d.message.length).toBeGreaterThan(10);
        }
      }
    });
  }

  it("explains Chatham House refusals in words a person can act on", () => {
    const d = authorize(roles.organizer, "recording:control", day1Panel);
    expect(d).toMatchObject({ allowed: false, message: expect.stringMatching(/Chatham House Rule: it can never be recorded/) });
    expect(authorize(roles["registered attendee"], "stream:view", day1Panel)).toMatchObject({ message: expect.stringMatching(/never streamed/) });
    expect(authorize(roles["device (joined elsewhere)"], "question:ask", day1Panel)).toMatchObject({ message: expect.stringMatching(/room code/) });
  });
});
