import { describe, expect, it } from "vitest";
import { CommandGate } from "./gate";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("the command gate (PGlite)", () => {
  it("runs one command at a time, first come first served within a lane", async () => {
    const gate = new CommandGate(true);
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
    const gate = new CommandGate(true);
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
    const gate = new CommandGate(true);
    const boom = gate.run(() => {
      throw new Error("sync boom");
    });
    const reject = gate.run(async () => Promise.reject(new Error("async boom")));
    const fine = gate.run(async () => 42);
    await expect(boom).rejects.toThrow("sync boom");
    await expect(reject).rejects.toThrow("async boom");
    await expect(fine).resolves.toBe(42);
  });

  it("on Postgres runs commands at once, concurrently", async () => {
    const gate = new CommandGate(false);
    let running = 0;
    let most = 0;
    const job = async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    };
    await Promise.all([gate.run(job), gate.run(job, "staff"), gate.run(job)]);
    expect(most).toBe(3);
  });
});
