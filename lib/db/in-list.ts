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
  const json = JSON.stringify(values);
  return type === "uuid"
    ? sql`${column} in (select value::uuid from jsonb_array_elements_text(${json}::jsonb))`
    : sql`${column} in (select value from jsonb_array_elements_text(${json}::jsonb))`;
}
