import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { oktaCheckGuards } from "../db/schema";
import { claimCheckRun, finishCheckRun } from "./history";

describe.each(testDatabases())("the configuration check's single flight across nodes on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);
  const age = (connection: string, seconds: number, finished: boolean) =>
    handle.db
      .update(oktaCheckGuards)
      .set({ startedAt: sql`now() - make_interval(secs => ${seconds})`, finishedAt: finished ? sql`now()` : null })
      .where(eq(oktaCheckGuards.connection, connection));

  it("lets one of two simultaneous claims win, and none while a run goes on or just started", async () => {
    const c = `acme-${randomUUID().slice(0, 8)}`;
    const claims = await Promise.all([claimCheckRun(handle.db, c), claimCheckRun(handle.db, c)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await age(c, 30, false); // still running after 30 s
    expect(await claimCheckRun(handle.db, c)).toBe(false);
    await finishCheckRun(handle.db, c);
    expect(await claimCheckRun(handle.db, c)).toBe(true); // finished, and started 30 s ago
    await finishCheckRun(handle.db, c);
    expect(await claimCheckRun(handle.db, c)).toBe(false); // finished at once, but started under 5 s ago: a double click
  });

  it("frees the guard once a run finished and 5 s passed, or after 60 s when its node died", async () => {
    const c = `acme-${randomUUID().slice(0, 8)}`;
    expect(await claimCheckRun(handle.db, c)).toBe(true);
    await age(c, 6, true);
    expect(await claimCheckRun(handle.db, c)).toBe(true);
    await age(c, 61, false);
    expect(await claimCheckRun(handle.db, c)).toBe(true);
    expect(await claimCheckRun(handle.db, c)).toBe(false);
  });
});
