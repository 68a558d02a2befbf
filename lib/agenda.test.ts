import { describe, expect, it } from "vitest";
import { liveStatuses } from "./agenda";

const items = [
  { slug: "a", startsAt: "2024-05-24T08:30:00-04:00", endsAt: "2024-05-24T08:40:00-04:00" },
  { slug: "b", startsAt: "2024-05-24T08:45:00-04:00", endsAt: "2024-05-24T09:30:00-04:00" },
  { slug: "c", startsAt: "2024-05-24T09:30:00-04:00", endsAt: "2024-05-24T09:45:00-04:00" },
];

describe("live statuses", () => {
  it("marks the running item live and the following one next", () => {
    const s = liveStatuses(items, new Date("2024-05-24T09:00:00-04:00"));
    expect(Object.fromEntries(s)).toEqual({ a: "past", b: "live", c: "next" });
  });
  it("in a gap, nothing is live and the next start is up next", () => {
    const s = liveStatuses(items, new Date("2024-05-24T08:42:00-04:00"));
    expect(Object.fromEntries(s)).toEqual({ a: "past", b: "next", c: "upcoming" });
  });
  it("an item is over at its end instant (end is exclusive)", () => {
    const s = liveStatuses(items, new Date("2024-05-24T09:30:00-04:00"));
    expect(s.get("b")).toBe("past");
    expect(s.get("c")).toBe("live");
  });
  it("after the event nothing is live or next", () => {
    const s = liveStatuses(items, new Date("2024-05-25T09:00:00-04:00"));
    expect([...s.values()].every((v) => v === "past")).toBe(true);
  });
});
