/** How one item of a batch ended: its value, or the error its caller gets. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: Error };

/**
 * Group commit: the work of one key runs one batch at a time, and what arrives while a batch runs waits and
 * goes in the next batch, together: at most `max` items, and no more than `budget` of their `weight` (an item
 * heavier than the budget goes alone, so one big item never makes small ones wait long, nor the reverse).
 * A batch is taken one turn of the event loop after it could start. A caller that sends one request after
 * another waits for that turn and its own batch of one; callers that send at once share one batch, so one
 * transaction, lock and commit serve them all.
 *
 * `run` settles each item of its batch (an item's own refusal does not fail the others); when `run` itself
 * throws, every item of the batch gets that error.
 */
export class Batcher<T, R> {
  private readonly waiting = new Map<string, { item: T; settle: (s: Settled<R>) => void }[]>();

  private readonly max: number;
  private readonly budget: number;
  private readonly weight: (item: T) => number;

  constructor(
    private readonly run: (items: readonly T[]) => Promise<readonly Settled<R>[]>,
    limits: { max?: number; budget?: number; weight?: (item: T) => number } = {},
  ) {
    this.max = limits.max ?? 64;
    this.budget = limits.budget ?? Infinity;
    this.weight = limits.weight ?? (() => 1);
  }

  /** The next batch: the first waiting item, then those after it while `max` and `budget` allow. */
  private take(queue: { item: T }[]): number {
    let n = 0;
    let load = 0;
    for (const { item } of queue) {
      load += this.weight(item);
      if (n > 0 && (n === this.max || load > this.budget)) break;
      n++;
    }
    return n;
  }

  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const entry = {
        item,
        settle: (s: Settled<R>) => {
          if (s.ok) resolve(s.value);
          else reject(s.error);
        },
      };
      const queue = this.waiting.get(key);
      if (queue) {
        queue.push(entry);
        return;
      }
      this.waiting.set(key, [entry]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    const queue = this.waiting.get(key);
    if (!queue) return;
    for (;;) {
      // One turn of the event loop first: callers answered by the last batch that send again at once (a
      // client keeping n requests in flight) go together, not one alone and then the rest.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = queue.splice(0, this.take(queue));
      if (batch.length === 0) break;
      let settled: readonly Settled<R>[];
      try {
        settled = await this.run(batch.map((e) => e.item));
      } catch (thrown) {
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        settled = batch.map(() => ({ ok: false, error }));
      }
      batch.forEach((e, i) => {
        e.settle(settled[i] ?? { ok: false, error: new Error("a batch left an item without an answer") });
      });
    }
    this.waiting.delete(key);
  }
}
