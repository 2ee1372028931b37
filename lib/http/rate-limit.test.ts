import { describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limit";

describe("createRateLimiter", () => {
  it("allows a burst, then answers how long to wait, then refills", () => {
    let t = 0;
    const limiter = createRateLimiter({ burst: 3, refillMs: 1000, now: () => t });
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 0]);
    expect(limiter.take("a")).toBe(1);
    expect(limiter.take("b")).toBe(0);
    t += 1000;
    expect(limiter.take("a")).toBe(0);
  });

  it("tracks a bounded number of addresses", () => {
    const limiter = createRateLimiter({ burst: 1, refillMs: 1000, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${String(i)}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});
