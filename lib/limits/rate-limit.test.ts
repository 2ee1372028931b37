import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../../test/support/databases";
import { parseRateLimits } from "../config/rate-limits";
import { openDatabase, type DbHandle } from "../db/client";
import { pruneRateLimits, takeLimit, WINDOW_MS } from "./rate-limit";

describe.each(testDatabases())("shared rate limits on %s", (name, dbConfig) => {
  let a: DbHandle;
  let b: DbHandle | undefined;
  const bucket = () => `test:address:${randomUUID()}`;
  // The start of a window, so a test's requests all fall in it.
  const t0 = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 1_000;

  beforeAll(async () => {
    a = await openDatabase(dbConfig);
    // A second pool stands for a second app node (PostgreSQL only: PGlite is one process, one connection).
    if (name === "postgres") b = await openDatabase(dbConfig);
  });
  afterAll(async () => {
    await b?.close();
    await a.close();
  });

  it("allows the limit, refuses the next with Retry-After to the window's end, and flags one refusal to audit", async () => {
    const key = bucket();
    for (let i = 0; i < 5; i++) expect((await takeLimit(a.db, key, 5, t0 + i)).retryAfter).toBe(0);
    const refused = await takeLimit(a.db, key, 5, t0 + 10);
    expect(refused.retryAfter).toBe(59);
    expect(refused.firstRefusal).toBe(true);
    const again = await takeLimit(a.db, key, 5, t0 + 20);
    expect(again.retryAfter).toBeGreaterThan(0);
    expect(again.firstRefusal).toBe(false);
  });

  // Nodes share a PostgreSQL server, never an embedded database: two pools, two nodes (npm test always runs it).
  it.skipIf(name !== "postgres")("counts across nodes: requests spread over two pools share one budget", async () => {
    const key = bucket();
    const other = b;
    if (!other) throw new Error("the second pool is opened for PostgreSQL");
    expect(other).not.toBe(a);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => takeLimit((i % 2 === 0 ? a : other).db, key, 10, t0 + i)),
    );
    expect(results.filter((r) => r.retryAfter === 0)).toHaveLength(10);
    expect(results.filter((r) => r.firstRefusal)).toHaveLength(1);
  });

  it.skipIf(name !== "postgres")(
    "reserves in leases: never more than the limit across nodes, and a busy bucket is not a statement per request",
    async () => {
      const key = bucket();
      const other = b;
      if (!other) throw new Error("the second pool is opened for PostgreSQL");
      let statements = 0;
      const counting = (db: DbHandle["db"]) =>
        new Proxy(db, {
          get(target, prop, receiver) {
            if (prop === "execute") statements += 1;
            return Reflect.get(target, prop, receiver) as unknown;
          },
        });
      const nodes = [counting(a.db), counting(other.db)];
      let allowed = 0;
      let statementsAtLimit = 0;
      for (let i = 0; i < 1200; i++) {
        if (i === 900) statementsAtLimit = statements;
        const node = nodes[i % 2];
        if (!node) throw new Error("two nodes");
        if ((await takeLimit(node, key, 1000, t0 + i)).retryAfter === 0) allowed += 1;
      }
      expect(allowed).toBeLessThanOrEqual(1000);
      // Unspent reservations count as used: at most a lease per node is lost near the limit.
      expect(allowed).toBeGreaterThan(900);
      // The first 900 requests (all within the limit) in far fewer statements; near the limit, each counts.
      expect(statementsAtLimit).toBeLessThan(100);
    },
  );

  it("still limits a burst that straddles a minute boundary (the previous window weighs in)", async () => {
    const key = bucket();
    const end = t0 - 1_000 + WINDOW_MS - 100; // 100 ms before the next window
    for (let i = 0; i < 10; i++) await takeLimit(a.db, key, 10, end);
    const justAfter = await takeLimit(a.db, key, 10, end + 200);
    expect(justAfter.retryAfter).toBeGreaterThan(0);
    // A window later, the old burst no longer counts.
    expect((await takeLimit(a.db, key, 10, end + 200 + WINDOW_MS)).retryAfter).toBe(0);
  });

  it("prunes windows that are never read again", async () => {
    const key = bucket();
    await takeLimit(a.db, key, 10, t0 - 10 * WINDOW_MS);
    await pruneRateLimits(a.db, t0);
    // The pruned window's count is gone: a fresh budget.
    expect((await takeLimit(a.db, key, 1, t0 - 10 * WINDOW_MS)).retryAfter).toBe(0);
  });
});

describe("RATE_LIMITS", () => {
  it("overrides some defaults and names a bad entry", () => {
    const limits = parseRateLimits("sign_in.address=20, api.organization=3000");
    expect(limits).toMatchObject({ sign_in: { address: 20, organization: 6000 }, api: { organization: 3000 } });
    expect(parseRateLimits("sign_in.everyone=5")).toMatch(/RATE_LIMITS: "sign_in.everyone=5" is not/);
    expect(parseRateLimits("login.address=0")).toMatch(/is not <limit>.<scope>/);
  });
});
