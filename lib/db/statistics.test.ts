import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { ensureOrganization } from "../organizations/organizations";
import { rowsOf } from "./rows";
import { refreshStatistics } from "./statistics";

const usersStats = async (db: Parameters<typeof refreshStatistics>[0]) =>
  rowsOf<{ changed: number; tuples: number }>(
    await db.execute(sql`select s.n_mod_since_analyze::int as changed, c.reltuples::int as tuples
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid where s.relname = 'users'`),
  )[0];

describe.each(testDatabases())("refreshStatistics (%s)", (_name, config) => {
  const handle = useTestDatabase(config);

  it("analyzes a table whose rows changed beyond autovacuum's threshold, and nothing when none did", async () => {
    const { db } = handle;
    const org = await ensureOrganization(db, `stats-${String(Date.now())}`);
    await refreshStatistics(db);
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into users (organization_id, sub, user_name, email, provisioned_at)
        select ${org}::uuid, 'stats' || i, 'stats' || i, 'stats' || i || '@example.com', now() from generate_series(1, 3000) i`);
      // A backend reports its counts at most once a second: now, when this transaction ends.
      await tx.execute(sql`select pg_stat_force_next_flush()`);
    });
    const before = await usersStats(db);
    // PostgreSQL's own autovacuum may have been quicker: then there is nothing left to do.
    expect(before?.changed === 0 || (before?.changed ?? 0) >= 3000).toBe(true);
    if ((before?.changed ?? 0) > 0) expect(await refreshStatistics(db)).toContain("users");
    const after = await usersStats(db);
    expect(after?.changed).toBe(0);
    expect(after?.tuples).toBeGreaterThanOrEqual(3000);
    expect(await refreshStatistics(db)).not.toContain("users");
  });
});
