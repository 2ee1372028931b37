import { types } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { pgTable, timestamp } from "drizzle-orm/pg-core";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "./pglite-client";
import { initializePglite } from "./pglite-directory";

describe("openPglite", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "porter-pglite-"));
  const location = path.join(dir, "pglite");
  let opened: Awaited<ReturnType<typeof openPglite>>;
  beforeAll(async () => {
    // As porter's server does: the creation starts early, and opening waits for that same creation.
    const early = initializePglite(location);
    expect(initializePglite(location)).toBe(early);
    opened = await openPglite(location);
  });
  afterAll(async () => {
    await opened.client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates a new directory in a process of its own, and opens it with small shared buffers", async () => {
    expect(existsSync(path.join(location, "PG_VERSION"))).toBe(true);
    const { rows } = await opened.client.query<{ shared_buffers: string }>("show shared_buffers");
    expect(rows[0]?.shared_buffers).toBe("16MB");
  });

  it("gives drizzle timestamps as text once per instance, and drizzle turns them into the same Date", async () => {
    const db = drizzle({ client: opened.forDrizzle });
    await db.execute(sql`create table t (at timestamptz not null)`);
    await db.execute(sql`insert into t values ('2026-12-02T13:00:00.123Z')`);
    const raw = await opened.forDrizzle.query<{ at: unknown }>("select at from t");
    expect(raw.rows[0]?.at).toBe("2026-12-02 13:00:00.123+00");
    const { rows } = await db.execute<{ at: string }>(sql`select at from t`);
    expect(rows[0]?.at).toBe("2026-12-02 13:00:00.123+00");
    const t = pgTable("t", { at: timestamp("at", { withTimezone: true }).notNull() });
    await db.transaction(async (tx) => {
      const [row] = await tx.select().from(t);
      expect(row?.at.toISOString()).toBe("2026-12-02T13:00:00.123Z");
    });
  });

  it("still applies a caller's own parsers", async () => {
    const parsed = await opened.forDrizzle.query<{ n: unknown }>("select 41::int4 as n", [], {
      parsers: { [types.INT4]: (v: string) => Number(v) + 1 },
    });
    expect(parsed.rows[0]?.n).toBe(42);
    const dated = await opened.forDrizzle.query<{ at: unknown }>(
      "select '2026-12-02T13:00:00Z'::timestamptz as at",
      [],
      {
        parsers: { [types.TIMESTAMPTZ]: (v: string) => new Date(v) },
      },
    );
    expect(dated.rows[0]?.at).toBeInstanceOf(Date);
  });
});
