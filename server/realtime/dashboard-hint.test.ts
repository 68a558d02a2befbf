import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PlenaryIo } from "./io";
import { dashboardHint } from "./publishers";
import { rooms } from "./rooms";

/** A socket server stand-in that records what is sent to which room. */
function recordingIo() {
  const sent: Array<{ room: string; event: string }> = [];
  const io = { to: (room: string) => ({ emit: (event: string) => sent.push({ room, event }) }) } as unknown as PlenaryIo;
  return { io, sent };
}

describe("the organizers' dashboard hint", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends the first hint at once, then at most one per interval, never dropping the last", () => {
    const { io, sent } = recordingIo();
    const hint = dashboardHint(io, 1000);
    hint();
    expect(sent).toEqual([{ room: rooms.organizers(), event: "admin:changed" }]);
    // A vote storm within the interval: one more hint, at its end.
    for (let i = 0; i < 50; i++) hint();
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
    // Quiet afterwards: nothing more.
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(2);
    // Stopping drops a pending hint (shutdown).
    hint();
    hint();
    hint.stop();
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(3);
  });
});
