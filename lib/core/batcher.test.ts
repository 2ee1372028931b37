import { describe, expect, it } from "vitest";
import { Batcher, type Settled } from "./batcher";

function recording(limits?: ConstructorParameters<typeof Batcher<number, number>>[1]) {
  const batches: number[][] = [];
  let release: (() => void) | null = null;
  const batcher = new Batcher<number, number>(async (items) => {
    batches.push([...items]);
    if (items.includes(0)) await new Promise<void>((r) => (release = r));
    return items.map((n): Settled<number> =>
      n < 0 ? { ok: false, error: new Error(`refused ${String(n)}`) } : { ok: true, value: n * 10 },
    );
  }, limits);
  return { batcher, batches, release: () => release?.() };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Batcher", () => {
  it("runs a lone item at once, in a batch of its own", async () => {
    const { batcher, batches } = recording();
    expect(await batcher.submit("a", 1)).toBe(10);
    expect(await batcher.submit("a", 2)).toBe(20);
    expect(batches).toEqual([[1], [2]]);
  });

  it("puts what is sent at once in one batch, and what arrives while a batch runs in the next, in order", async () => {
    const { batcher, batches, release } = recording();
    const first = [batcher.submit("a", 0), batcher.submit("a", 9)];
    await turn();
    expect(batches).toEqual([[0, 9]]);
    const rest = [1, 2, 3].map((n) => batcher.submit("a", n));
    const other = batcher.submit("b", 7);
    expect(await other).toBe(70);
    release();
    expect(await Promise.all([...first, ...rest])).toEqual([0, 90, 10, 20, 30]);
    expect(batches).toEqual([[0, 9], [7], [1, 2, 3]]);
  });

  it("refuses only the item that failed, and at most `max` go together", async () => {
    const { batcher, batches, release } = recording({ max: 2 });
    const first = batcher.submit("a", 0);
    await turn();
    const results = [4, -1, 5].map((n) => batcher.submit("a", n).catch((e: unknown) => (e as Error).message));
    release();
    await first;
    expect(await Promise.all(results)).toEqual([40, "refused -1", 50]);
    expect(batches).toEqual([[0], [4, -1], [5]]);
  });

  it("sends an item heavier than the budget alone, and stops a batch before the budget is passed", async () => {
    const { batcher, batches, release } = recording({ budget: 10, weight: (n) => Math.abs(n) });
    const first = batcher.submit("a", 0);
    await turn();
    const results = [3, 4, 5, 50, 2].map((n) => batcher.submit("a", n));
    release();
    await first;
    expect(await Promise.all(results)).toEqual([30, 40, 50, 500, 20]);
    expect(batches).toEqual([[0], [3, 4], [5], [50], [2]]);
  });

  it("gives every item of a batch the error when the batch itself fails, and goes on with the next", async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>(async (items) => {
      calls++;
      await Promise.resolve();
      if (calls === 1) throw new Error("database gone");
      return items.map((n) => ({ ok: true, value: n }));
    });
    const failed = [1, 2].map((n) => batcher.submit("k", n).catch((e: unknown) => (e as Error).message));
    expect(await Promise.all(failed)).toEqual(["database gone", "database gone"]);
    expect(await batcher.submit("k", 3)).toBe(3);
  });
});
