import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { jsonRows, type JsonColumns } from "./in-list";
import { rowsOf } from "./rows";

const columns: JsonColumns = {
  id: "integer",
  org: "uuid",
  name: "text",
  tags: "text[]",
  detail: "jsonb",
  at: "timestamptz",
};
const org = "7a1f1f4e-3c1b-4d5e-9f00-0123456789ab";

describe.each(testDatabases())("jsonRows (%s)", (_name, config) => {
  const handle = useTestDatabase(config);
  const read = async (rows: readonly object[]) =>
    rowsOf<{ id: number; org: string; name: string | null; tags: string[]; detail: unknown; at: string }>(
      await handle.db.execute(
        sql`select id, org, name, tags, detail, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as at
          from ${jsonRows(rows, columns, "v")} order by id`,
      ),
    );

  it("gives back every row with every column, whether its value is the rows' own or shared by all of them", async () => {
    // Enough rows for shared columns to be sent once: org, tags, detail and at are alike; id and name are not.
    const rows = Array.from({ length: 20 }, (_, i) => ({
      id: i,
      org,
      name: i % 3 === 0 ? null : `Nämé ${String(i)} "quoted"`,
      tags: ["a", "b,c"],
      detail: { gained: ["member"], nested: { why: "Okta added them" } },
      at: "2026-12-03T01:02:03.000Z",
    }));
    const back = await read(rows);
    expect(back).toHaveLength(20);
    expect(back).toEqual(rows.map((row) => ({ ...row, at: "2026-12-03T01:02:03" })));
  });

  it("keeps as many rows as it was given when they are all alike, and when there is only one", async () => {
    const same = { id: 7, org, name: "x", tags: [], detail: {}, at: "2026-12-03T00:00:00Z" };
    expect(await read(Array.from({ length: 12 }, () => same))).toHaveLength(12);
    expect(await read([same])).toEqual([{ ...same, at: "2026-12-03T00:00:00" }]);
  });

  it("does not take values of objects that differ for shared ones (compared as JSON, not by reference)", async () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      id: i,
      org,
      name: "n",
      tags: ["t"],
      detail: { n: i === 9 ? 2 : 1 },
      at: "2026-12-03T00:00:00Z",
    }));
    const back = await read(rows);
    expect(back.map((r) => r.detail)).toEqual(rows.map((r) => r.detail));
  });

  it("compares dates by their time, not as objects without keys", async () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      id: i,
      org,
      name: "n",
      tags: [],
      detail: { when: new Date(Date.UTC(2026, 11, 3, 0, 0, i)) },
      at: "2026-12-03T00:00:00Z",
    }));
    const back = await read(rows);
    expect(back.map((r) => r.detail)).toEqual(rows.map((r) => ({ when: r.detail.when.toISOString() })));
  });
});
