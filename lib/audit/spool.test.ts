import { mkdtempSync, readFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { auditEvent } from "./events";
import { openSpool, spoolFile } from "./spool";

const entry = (n: number) => ({
  key: `k-${String(n)}`,
  event: auditEvent("okta.hook_rejected", { reason: `r${String(n)}` }, { organizationId: null }),
});
const freshFile = () => path.join(mkdtempSync(path.join(tmpdir(), "porter-spool-")), "audit-spool", "eu-1.jsonl");

describe("the audit spool", () => {
  it("keeps entries in order across a reopen, and starts over when cleared", async () => {
    const file = freshFile();
    const spool = openSpool(file);
    for (let n = 1; n <= 3; n++) expect(await spool.append(entry(n))).toBe(true);
    const again = openSpool(file);
    expect((await again.load()).map((e) => e.key)).toEqual(["k-1", "k-2", "k-3"]);
    await again.clear();
    expect(await openSpool(file).load()).toEqual([]);
  });

  it("skips a line torn by a crash mid-write and keeps the rest", async () => {
    const file = freshFile();
    const spool = openSpool(file);
    await spool.append(entry(1));
    appendFileSync(file, '{"key":"k-2","event":{"ty');
    expect((await openSpool(file).load()).map((e) => e.key)).toEqual(["k-1"]);
  });

  it("refuses an entry beyond its bound", async () => {
    const line = Buffer.byteLength(`${JSON.stringify(entry(1))}\n`);
    const spool = openSpool(freshFile(), { maxBytes: 2 * line + 1 });
    expect(await spool.append(entry(1))).toBe(true);
    expect(await spool.append(entry(2))).toBe(true);
    expect(await spool.append(entry(3))).toBe(false);
  });

  it("keeps dead letters apart, with the reason", async () => {
    const file = freshFile();
    await openSpool(file).deadLetter(entry(7), "value too long");
    const dead = readFileSync(file.replace(/\.jsonl$/, ".dead.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(dead.map((line) => JSON.parse(line) as { key: string; reason: string })).toMatchObject([
      { key: "k-7", reason: "value too long" },
    ]);
  });

  it("names one file per node, whatever the node's name holds", () => {
    expect(spoolFile("/data", "eu-1")).toBe("/data/audit-spool/eu-1.jsonl");
    expect(spoolFile("/data", "../../etc/x")).toBe("/data/audit-spool/.._.._etc_x.jsonl");
    expect(spoolFile("/data", undefined)).toBe("/data/audit-spool/node.jsonl");
  });
});
