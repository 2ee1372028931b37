/**
 * A token bucket per key (client address), in memory: `burst` requests at once, then one every
 * `refillMs`. Bounded: at most `maxKeys` keys are tracked; the oldest are dropped first.
 */
export function createRateLimiter(options: { burst: number; refillMs: number; maxKeys?: number; now?: () => number }) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  return {
    /** Takes one token; returns 0 when allowed, else the seconds to wait. */
    take(key: string): number {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: options.burst, at: t };
      const refilled = Math.min(options.burst, bucket.tokens + (t - bucket.at) / options.refillMs);
      buckets.delete(key);
      if (buckets.size >= maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      if (refilled < 1) {
        buckets.set(key, { tokens: refilled, at: t });
        return Math.ceil(((1 - refilled) * options.refillMs) / 1000);
      }
      buckets.set(key, { tokens: refilled - 1, at: t });
      return 0;
    },
    get size() {
      return buckets.size;
    },
  };
}
