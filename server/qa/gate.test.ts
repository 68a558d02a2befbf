import { describe, expect, it } from "vitest";
import { CommandGate, inStaffLane } from "./gate";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("the command gate", () => {
  it("runs the audience's commands a few at a time, first come first served, and staff commands at once", async () => {
    const gate = new CommandGate({ audienceConcurrency: 3 });
    let running = 0;
    let most = 0;
    const started: string[] = [];
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const job = (name: string) => async () => {
      started.push(name);
      running++;
      most = Math.max(most, running);
      await hold;
      running--;
      return name;
    };
    const votes = Array.from({ length: 10 }, (_, i) => gate.run(job(`vote-${i}`)));
    await tick();
    expect(started).toEqual(["vote-0", "vote-1", "vote-2"]);
    expect(gate.waiting).toBe(7);
    const approval = gate.run(job("approve"), "staff");
    await tick();
    // The approval does not wait behind the storm for a free place.
    expect(started).toEqual(["vote-0", "vote-1", "vote-2", "approve"]);
    release();
    expect(await Promise.all(votes)).toEqual(Array.from({ length: 10 }, (_, i) => `vote-${i}`));
    await approval;
    expect(started.filter((n) => n.startsWith("vote-"))).toEqual(Array.from({ length: 10 }, (_, i) => `vote-${i}`));
    expect(most).toBe(4);
    expect(gate.waiting).toBe(0);
  });

  it("passes errors through (thrown or rejected), in either lane, and keeps going", async () => {
    const gate = new CommandGate({ audienceConcurrency: 1 });
    const boom = gate.run(() => {
      throw new Error("sync boom");
    });
    const reject = gate.run(async () => Promise.reject(new Error("async boom")));
    const staff = gate.run(() => {
      throw new Error("staff boom");
    }, "staff");
    const fine = gate.run(async () => 42);
    await expect(boom).rejects.toThrow("sync boom");
    await expect(reject).rejects.toThrow("async boom");
    await expect(staff).rejects.toThrow("staff boom");
    await expect(fine).resolves.toBe(42);
  });

  it("tells the code a command runs, through its awaits, which lane it is in (the database thread puts staff first)", async () => {
    const gate = new CommandGate();
    const seen: Record<string, boolean[]> = { staff: [], audience: [] };
    const job = (lane: "staff" | "audience") => async () => {
      seen[lane].push(inStaffLane());
      await tick();
      seen[lane].push(inStaffLane());
    };
    await Promise.all([gate.run(job("audience")), gate.run(job("staff"), "staff"), gate.run(job("audience"))]);
    expect(seen.staff).toEqual([true, true]);
    expect(seen.audience).toEqual([false, false, false, false]);
    expect(inStaffLane()).toBe(false);
  });

  it("tells a broadcast that can wait when no staff command is under way, or after its longest wait", async () => {
    const gate = new CommandGate();
    let idle = false;
    await gate.staffIdle(1000).then(() => (idle = true));
    expect(idle).toBe(true); // nothing under way: at once

    let finish!: () => void;
    const approval = gate.run(() => new Promise<void>((resolve) => (finish = resolve)), "staff");
    const vote = gate.run(async () => "vote");
    idle = false;
    const waited = gate.staffIdle(60_000).then(() => (idle = true));
    expect(await vote).toBe("vote"); // the audience's commands do not count
    await tick();
    expect(idle).toBe(false);
    finish();
    await approval;
    await waited;
    expect(idle).toBe(true);

    // A staff command that takes long holds the broadcast back no longer than asked.
    let never!: () => void;
    const slow = gate.run(() => new Promise<void>((resolve) => (never = resolve)), "staff");
    const started = Date.now();
    await gate.staffIdle(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    never();
    await slow;
  });
});
