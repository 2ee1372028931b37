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

/** The columns of rows sent as JSON (jsonRows): each key's PostgreSQL type, in the order the FROM item has them. */
export type JsonColumns = Readonly<Record<string, string>>;

/** Below this many rows, every column is sent in every row: factoring out what they share would not pay. */
const SHARED_FROM = 8;

/**
 * Rows sent as one JSON parameter, as a FROM item `(…) as <alias>` with the given columns (typed), whose row
 * count the planner knows:
 * - PostgreSQL estimates any jsonb_to_recordset at 100 rows; with statistics that lag the table (PGlite has
 *   no autovacuum: never refreshed), it then joined a one-person write to a scan of every person (measured:
 *   2.8 ms with 10,000 people, 5.3 ms with 20,000, against 0.4 ms through the primary key). `limit n` (n the
 *   exact count: nothing is cut) makes the estimate n.
 * - A column whose value every row has alike (an organization, a team, the same grants for everyone a push
 *   added) is sent once, beside the rows, not in each: PGlite copies and parses every byte it is sent. A
 *   10,000-person push sent 12.6 MB of JSON, now 4.6 MB; its audit events took 454–580 ms instead of
 *   549–705 ms, its write of teams and roles 611–640 ms instead of 655–745 ms (scratch A/Bs).
 */
export function jsonRows(list: readonly object[], columns: JsonColumns, alias: string): SQL {
  const rows = list as readonly Record<string, unknown>[];
  const keys = Object.keys(columns);
  const shared = rows.length >= SHARED_FROM ? sharedColumns(rows, keys) : new Map<string, unknown>();
  // The rows keep at least one column of their own, so that there are rows.length of them.
  if (shared.size === keys.length) shared.delete(keys[0] ?? "");
  const own = keys.filter((key) => !shared.has(key));
  const typed = (names: readonly string[]) =>
    sql.raw(names.map((key) => `"${key}" ${columns[key] ?? "text"}`).join(", "));
  const sent =
    shared.size === 0
      ? rows
      : rows.map((row) => {
          const out: Record<string, unknown> = {};
          for (const key of own) out[key] = row[key];
          return out;
        });
  const alike =
    shared.size === 0
      ? sql``
      : sql` cross join jsonb_to_record(${JSON.stringify(Object.fromEntries(shared))}::jsonb) as c(${typed([...shared.keys()])})`;
  const select = sql.raw(keys.map((key) => `${shared.has(key) ? "c" : "r"}."${key}"`).join(", "));
  return sql`(select ${select} from jsonb_to_recordset(${JSON.stringify(sent)}::jsonb) as r(${typed(own)})${alike} limit ${sql.raw(String(rows.length))}) as ${sql.identifier(alias)}`;
}

/** The columns whose value every row has alike, with that value (objects and arrays compared by content). */
function sharedColumns(rows: readonly Record<string, unknown>[], keys: readonly string[]): Map<string, unknown> {
  const shared = new Map<string, unknown>();
  const first = rows[0];
  if (!first) return shared;
  for (const key of keys) {
    const value = first[key];
    if (rows.every((row) => sameValue(row[key], value))) shared.set(key, value);
  }
  return shared;
}

/**
 * Whether two JSON values are equal: a walk, not two strings (a 10,000-person push compares 30,000 of them).
 * Node's util.isDeepStrictEqual is slower still: 2.4–3.6 µs a comparison of a role grant, against 2.2 µs for
 * two JSON.stringify calls.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // A Date, or any object JSON writes other than by its own keys, is compared as the text it becomes.
  if (!isPlain(a) || !isPlain(b)) return JSON.stringify(a) === JSON.stringify(b);
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const key of keys) if (!(key in y) || !sameValue(x[key], y[key])) return false;
  return true;
}

const isPlain = (value: object) => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};
