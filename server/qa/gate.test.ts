import { describe, expect, it } from "vitest";
import { CommandGate } from "./gate";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("the command gate (PGlite)", () => {
  it("runs one command at a time, first come first served within a lane", async () => {
    const gate = new CommandGate({ serial: true });
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const job = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      log.push(name);
      running--;
      return name;
    };
    const results = await Promise.all(["a", "b", "c", "d"].map((n) => gate.run(job(n))));
    expect(results).toEqual(["a", "b", "c", "d"]);
    expect(log).toEqual(["a", "b", "c", "d"]);
    expect(most).toBe(1);
  });

  it("lets a staff command go before the audience's queued ones", async () => {
    const gate = new CommandGate({ serial: true });
    const log: string[] = [];
    const job = (name: string) => async () => {
      await tick();
      log.push(name);
    };
    const votes = Array.from({ length: 500 }, (_, i) => gate.run(job(`vote-${i}`)));
    // The approval arrives while the vote storm waits its turn.
    await tick();
    await tick();
    const approval = gate.run(job("approve"), "staff");
    await Promise.all([...votes, approval]);
    const at = log.indexOf("approve");
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(5);
    expect(log.filter((n) => n.startsWith("vote-"))).toEqual(Array.from({ length: 500 }, (_, i) => `vote-${i}`));
    expect(gate.waiting).toBe(0);
  });

  it("passes errors through (thrown or rejected) and keeps going", async () => {
    const gate = new CommandGate({ serial: true });
    const boom = gate.run(() => {
      throw new Error("sync boom");
    });
    const reject = gate.run(async () => Promise.reject(new Error("async boom")));
    const fine = gate.run(async () => 42);
    await expect(boom).rejects.toThrow("sync boom");
    await expect(reject).rejects.toThrow("async boom");
    await expect(fine).resolves.toBe(42);
  });

  it("on Postgres runs the audience's commands a few at a time and staff commands at once", async () => {
    const gate = new CommandGate({ serial: false, audienceConcurrency: 3 });
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
    };
    const votes = Array.from({ length: 10 }, (_, i) => gate.run(job(`vote-${i}`)));
    await tick();
    expect(started).toEqual(["vote-0", "vote-1", "vote-2"]);
    const approval = gate.run(job("approve"), "staff");
    await tick();
    // The approval does not wait for a free place: the pool keeps room for it.
    expect(started).toEqual(["vote-0", "vote-1", "vote-2", "approve"]);
    release();
    await Promise.all([...votes, approval]);
    expect(most).toBe(4);
    expect(started).toHaveLength(11);
  });
});
