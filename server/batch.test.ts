import { describe, expect, it } from "vitest";
import { Batcher, type Pending } from "./batch";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

type Write = (batch: Array<Pending<number, string>>, round: number) => Promise<void>;

/** A batcher that records its batches; `write` decides what each does (default: answers every command). */
function recording(max: number, write?: Write, oncePer?: (n: number) => string | undefined, inFlight?: number) {
  const batches: number[][] = [];
  const batcher = new Batcher<number, string>({
    max,
    schedule: (job) => job(),
    oncePer,
    inFlight,
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
});
