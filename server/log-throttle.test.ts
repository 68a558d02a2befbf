import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "./log";
import { createFailureLog, failureLog } from "./log-throttle";

describe("the failure log: one line per kind of failure and interval, with a count", () => {
  let lines: Array<Record<string, unknown>>;
  const log = () => createLogger("debug", (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  beforeEach(() => {
    lines = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("logs the first failure in full, counts the repeats, and writes one summary per interval while they go on", () => {
    const failures = createFailureLog(log(), 10_000);
    const err = Object.assign(new Error("no space"), { code: "53100" });
    // 20 devices retrying every 3 s: 70 failures in 10 s.
    for (let i = 0; i < 70; i++) failures.error("socket command failed", "disk_full", i % 2 ? "question:vote" : "question:submit", { err, code: "53100" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "error",
      msg: "socket command failed",
      kind: "disk_full",
      where: "question:submit",
      code: "53100",
      // The error by its kind (server/log.ts), never its message.
      err: { type: "Error", code: "53100" },
    });
    expect(JSON.stringify(lines[0])).not.toContain("no space");

    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      msg: "socket command failed",
      kind: "disk_full",
      repeated: 69,
      intervalMs: 10_000,
      where: { "question:vote": 35, "question:submit": 34 },
    });
    expect(lines[1].err).toBeUndefined();

    // Still failing: one summary for the next interval.
    for (let i = 0; i < 5; i++) failures.error("socket command failed", "disk_full", "qa:sync");
    vi.advanceTimersByTime(10_000);
    expect(lines.slice(2)).toEqual([expect.objectContaining({ repeated: 5, where: { "qa:sync": 5 } })]);

    // A quiet interval closes the window: the next failure is logged in full again.
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    failures.error("socket command failed", "disk_full", "qa:sync", { err });
    expect(lines).toHaveLength(4);
    expect(lines[3].err).toBeDefined();
  });

  it("keeps kinds apart, and flush writes what is pending", () => {
    const failures = createFailureLog(log(), 10_000);
    failures.error("route failed", "connection_refused", "/api/join");
    failures.error("route failed", "connection_refused", "/api/join");
    failures.error("route failed", "read_only", "/api/join");
    failures.error("socket command failed", "read_only", "poll:answer");
    expect(lines.map((l) => `${l.msg as string}/${l.kind as string}`)).toEqual([
      "route failed/connection_refused",
      "route failed/read_only",
      "socket command failed/read_only",
    ]);
    failures.flush();
    expect(lines.slice(3)).toEqual([expect.objectContaining({ msg: "route failed", kind: "connection_refused", repeated: 1 })]);
  });

  it("background work's failures (sweeps, broadcasts) are counted the same way, at warning level", () => {
    const failures = createFailureLog(log(), 10_000);
    // A poll sweep every second through a 10 s outage.
    for (let i = 0; i < 10; i++) failures.warn("poll sweep failed", "Error 57P01", "polls");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", msg: "poll sweep failed", kind: "Error 57P01" });
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: "warn", msg: "poll sweep failed", repeated: 9, where: { polls: 9 } });
  });

  it("one failure log per logger, shared by every caller of that logger", () => {
    const a = log();
    expect(failureLog(a)).toBe(failureLog(a));
    expect(failureLog(a)).not.toBe(failureLog(log()));
  });
});
