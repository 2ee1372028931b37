import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { rowsOf } from "./rows";

/** autovacuum's defaults: a table is analyzed when more than 50 + 10% of its rows changed since the last time. */
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;
/** ...and vacuumed when more than 50 + 20% of its rows are dead. */
const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;

/**
 * What autovacuum does, for a database that has none (embedded PGlite): the tables whose planner statistics
 * lag their contents are analyzed, and those with many dead rows vacuumed, with autovacuum's default
 * thresholds. Without it PGlite's statistics were never refreshed: measured on this machine, the users page
 * of an organization of 100,000 people took 96-100 ms (a scan of every person) instead of 4-8 ms, and a
 * one-person write could join against every person. Returns the tables it analyzed. On the database, not in a
 * transaction: VACUUM cannot run inside one.
 */
export async function refreshStatistics(db: Db): Promise<string[]> {
  const rows = rowsOf<{ schema: string; table: string; vacuum: boolean }>(
    await db.execute(sql`
      select s.schemaname as schema, s.relname as "table",
        s.n_dead_tup > ${VACUUM_BASE} + ${VACUUM_SCALE} * greatest(c.reltuples, 0) as vacuum
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
      where s.n_mod_since_analyze > ${ANALYZE_BASE} + ${ANALYZE_SCALE} * greatest(c.reltuples, 0)
        or s.n_dead_tup > ${VACUUM_BASE} + ${VACUUM_SCALE} * greatest(c.reltuples, 0)
      order by s.relname`),
  );
  for (const { schema, table, vacuum } of rows) {
    const name = sql`${sql.identifier(schema)}.${sql.identifier(table)}`;
    await db.execute(vacuum ? sql`vacuum (analyze) ${name}` : sql`analyze ${name}`);
  }
  return rows.map((r) => r.table);
}
