import { describe, expect, it } from "vitest";
import type { AuditEventRow } from "../db/schema";
import { safeCsv, toCsv, toNdjsonLine } from "./export";

const row = (over: Partial<AuditEventRow>): AuditEventRow => ({
  id: 1,
  at: new Date("2026-12-01T09:00:00Z"),
  organizationId: null,
  connection: "acme",
  type: "sign_in.succeeded",
  actor: "dev@example.com",
  actorSub: "00u1",
  ip: null,
  userAgent: null,
  target: null,
  targetLabel: null,
  outcome: "success",
  reason: null,
  refs: [],
  count: 1,
  details: {},
  chain: null,
  seq: null,
  prevHash: null,
  hash: null,
  ...over,
});

/** RFC 4180, enough for these tests: quoted cells with "" escapes, commas and line breaks inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe("audit export", () => {
  it("neutralises every cell a spreadsheet would run as a formula, a leading LF included", () => {
    const hostile = ["=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-2+3", "\tx", "\rx", "\n=1+1", "a\u0000b"];
    const csv = safeCsv([hostile], ["a", "b", "c", "d", "e", "f", "g", "h"]);
    // Read back as a spreadsheet would (quoted cells may hold commas and line breaks): every cell that
    // started a formula now starts with an apostrophe, and NUL is gone.
    const [header, cells] = parseCsv(csv);
    expect(header).toEqual(["a", "b", "c", "d", "e", "f", "g", "h"]);
    expect(cells).toEqual(["'=cmd|' /C calc'!A0", "'+1", "'@SUM(1)", "'-2+3", "'\tx", "'\rx", "'\n=1+1", "a\uFFFDb"]);
    // The same guard covers a person's name and a group in the audit export itself.
    const text = toCsv(
      [row({ actor: '=HYPERLINK("http://evil")', targetLabel: "\n@SUM(1)", details: { group: "+1" } })],
      true,
    );
    expect(text).toContain("'=HYPERLINK");
    expect(text).toContain("'\n@SUM(1)");
  });

  it("writes one JSON object per line with at least id, at, type, actor and details", () => {
    const line = toNdjsonLine(row({ details: { a: 1 } }));
    expect(line.endsWith("\n")).toBe(true);
    expect(JSON.parse(line)).toMatchObject({
      id: 1,
      at: "2026-12-01T09:00:00.000Z",
      type: "sign_in.succeeded",
      actor: "dev@example.com",
      details: { a: 1 },
    });
  });
});
