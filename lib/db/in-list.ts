import { inArray, sql, type Column, type SQL } from "drizzle-orm";

/** Up to this many values, plain parameters (the planner sees them and uses the index); beyond, one JSON list. */
const FEW = 100;

/**
 * `column in (values)` with the whole list as one parameter (a JSON array). drizzle's inArray sends one
 * parameter per value, and building and sending thousands of them costs more than the query itself (the
 * Push Groups bench: a third of a 10,000-member PATCH). A short list stays plain parameters: the planner
 * estimates a JSON list at 100 rows and may scan a table for one id.
 */
export function inList(column: Column, values: readonly string[], type: "uuid" | "text" = "uuid"): SQL {
  if (values.length <= FEW) return inArray(column, [...values]);
  // No `limit` here (unlike jsonRows): an IN subquery with one is not turned into a join, and PostgreSQL then
  // compared every row of the table with the list (measured: 17 s for 5,000 ids among 200,000 people).
  const json = JSON.stringify(values);
  return type === "uuid"
    ? sql`${column} in (select value::uuid from jsonb_array_elements_text(${json}::jsonb))`
    : sql`${column} in (select value from jsonb_array_elements_text(${json}::jsonb))`;
}

/**
 * Rows sent as one JSON parameter, as a FROM item `(…) as <alias>` whose row count the planner knows.
 * PostgreSQL estimates any jsonb_to_recordset at 100 rows; with statistics that lag the table (PGlite has
 * no autovacuum: never refreshed), it then joined a one-person write to a scan of every person (measured:
 * 2.8 ms with 10,000 people, 5.3 ms with 20,000, against 0.4 ms through the primary key). `limit n` (n the
 * exact count: nothing is cut) makes the estimate n.
 */
export function jsonRows(rows: readonly unknown[], columns: SQL, alias: string): SQL {
  return sql`(select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${columns}) limit ${sql.raw(String(rows.length))}) as ${sql.identifier(alias)}`;
}
