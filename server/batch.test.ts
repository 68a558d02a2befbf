import { describe, expect, it } from "vitest";
import { Batcher, type Pending } from "./batch";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

type Write = (batch: Array<Pending<number, string>>, round: number) => Promise<void>;

/** A batcher that records its batches; `write` decides what each does (default: answers every command). */
function recording(max: number, write?: Write, oncePer?: (n: number) => string | undefined, inFlight?: number, fill?: { size: number; ms: number }) {
  const batches: number[][] = [];
  const batcher = new Batcher<number, string>({
    max,
    schedule: (job) => job(),
    oncePer,
    inFlight,
    fill,
    write: async (batch) => {
      const round = batches.push(batch.map((p) => p.item));
      if (write) return write(batch, round);
      for (const p of batch) p.resolve(`${p.item} in batch ${round}`);
    },
  });
  return { batcher, batches };
}

function held() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe("the batcher (group commit for votes and poll answers)", () => {
  it("writes a lone command at once, as a batch of one", async () => {
    const { batcher, batches } = recording(100);
    expect(await batcher.add(1)).toBe("1 in batch 1");
    expect(await batcher.add(2)).toBe("2 in batch 2");
    expect(batches).toEqual([[1], [2]]);
  });

  it("puts everything that arrived while a batch was written into the next one, at most `max` a batch", async () => {
    const first = held();
    const { batcher, batches } = recording(3, async (batch, round) => {
      if (round === 1) await first.promise;
      for (const p of batch) p.resolve(`${p.item} in batch ${round}`);
    });
    const all = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => batcher.add(n));
    await tick();
    expect([batcher.waiting, batcher.pending]).toEqual([7, 8]);
    first.release();
    expect(await Promise.all(all)).toEqual([
      "0 in batch 1",
      "1 in batch 2",
      "2 in batch 2",
      "3 in batch 2",
      "4 in batch 3",
      "5 in batch 3",
      "6 in batch 3",
      "7 in batch 4",
    ]);
    expect(batches).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
  });

  it("takes at most one command per key into a batch: the later ones wait for the next, in order", async () => {
    const first = held();
    // The key is the number's parity for even numbers; odd numbers have no key.
    const { batcher, batches } = recording(
      100,
      async (batch, round) => {
        if (round === 1) await first.promise;
        for (const p of batch) p.resolve(`${p.item} in batch ${round}`);
      },
      (n) => (n % 2 === 0 ? "even" : undefined),
    );
    const all = [1, 2, 3, 4, 5, 6].map((n) => batcher.add(n));
    await tick(); // the first batch (1, alone) is being written, the rest wait
    first.release();
    expect(await Promise.all(all)).toEqual(["1 in batch 1", "2 in batch 2", "3 in batch 2", "4 in batch 3", "5 in batch 2", "6 in batch 4"]);
    expect(batches).toEqual([[1], [2, 3, 5], [4], [6]]);
  });

  it("refuses every command of a batch that fails as a whole, and goes on with the next", async () => {
    const { batcher, batches } = recording(100, async (batch, round) => {
      if (round === 1) throw new Error("database down");
      for (const p of batch) p.resolve(`${p.item} in batch ${round}`);
    });
    const first = batcher.add(1);
    const second = batcher.add(2);
    await expect(first).rejects.toThrow("database down");
    expect(await second).toBe("2 in batch 2");
    expect(batches).toEqual([[1], [2]]);
  });

  it("with two in flight, the next batch is written while the first still is, and a key in flight waits for its batch", async () => {
    const holds = [held(), held(), held()];
    const { batcher, batches } = recording(
      2,
      async (batch, round) => {
        await holds[round - 1]?.promise;
        for (const p of batch) p.resolve(`${p.item} in batch ${round}`);
      },
      (n) => `person ${n % 10}`,
      2,
    );
    // 1 and 2 go at once, a batch each; 11 (the same person as 1) may not go while 1 is written.
    const all = [1, 11, 2, 3, 4].map((n) => batcher.add(n));
    await tick();
    expect(batches).toEqual([[1], [2]]);
    expect([batcher.waiting, batcher.pending]).toEqual([3, 5]);
    // The second batch ends first: the next one takes 3 and 4 and still leaves 11 out.
    holds[1].release();
    await tick();
    await tick();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    expect(batcher.waiting).toBe(1);
    holds[0].release();
    holds[2].release();
    expect(await Promise.all(all)).toEqual(["1 in batch 1", "11 in batch 4", "2 in batch 2", "3 in batch 3", "4 in batch 3"]);
    expect(batches).toEqual([[1], [2], [3, 4], [11]]);
  });

  describe("with `fill` (a storm is written in fuller batches)", () => {
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    /** Two in flight, with `fill`; the first batch is written only once `first` is released. */
    function firstHeld(fill: { size: number; ms: number }) {
      const first = held();
      const rec = recording(
        100,
        async (batch, round) => {
          if (round === 1) await first.promise;
          for (const p of batch) p.resolve(`${p.item} in batch ${round}`);
        },
        undefined,
        2,
        fill,
      );
      return { ...rec, first };
    }

    it("still writes a command in a quiet room at once", async () => {
      const { batcher, batches } = recording(100, undefined, undefined, 2, { size: 4, ms: 300 });
      let started = performance.now();
      expect(await batcher.add(1)).toBe("1 in batch 1");
      // Neither waited for its batch to fill: that would take 300 ms.
      expect(performance.now() - started).toBeLessThan(150);
      await sleep(350); // the room has been quiet for longer than `ms`
      started = performance.now();
      expect(await batcher.add(2)).toBe("2 in batch 2");
      expect(performance.now() - started).toBeLessThan(150);
      expect(batches).toEqual([[1], [2]]);
    });

    it("while a batch is written, holds the next until `size` commands wait", async () => {
      const { batcher, batches, first } = firstHeld({ size: 3, ms: 10_000 });
      const all = [batcher.add(0)];
      await tick();
      all.push(batcher.add(1), batcher.add(2));
      await tick();
      // Two in flight are allowed, but two commands are fewer than three: the second batch waits.
      expect(batches).toEqual([[0]]);
      all.push(batcher.add(3));
      await tick();
      expect(batches).toEqual([[0], [1, 2, 3]]);
      first.release();
      expect(await Promise.all(all)).toEqual(["0 in batch 1", "1 in batch 2", "2 in batch 2", "3 in batch 2"]);
    });

    it("writes what waits once `ms` have passed, full or not, and right after a batch it waits too", async () => {
      const { batcher, batches, first } = firstHeld({ size: 50, ms: 300 });
      const a = batcher.add(0);
      await tick();
      const b = batcher.add(1);
      await sleep(10);
      expect(batches).toEqual([[0]]);
      await sleep(400);
      expect(batches).toEqual([[0], [1]]);
      expect(await b).toBe("1 in batch 2");
      first.release();
      await a;
      // Batch 1 has just ended: a command now is part of the same storm and waits `ms` for company.
      const c = batcher.add(2);
      await tick();
      expect(batches).toEqual([[0], [1]]);
      const d = batcher.add(3);
      expect(await Promise.all([c, d])).toEqual(["2 in batch 3", "3 in batch 3"]);
    });
  });
});
