import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { ensureOrganization } from "../organizations/organizations";
import { listAuditEvents } from "./queries";
import { openSpool } from "./spool";
import { verifyChain } from "./verify";
import { createAuditWriter } from "./writer";

const child = path.resolve(import.meta.dirname, "../../test/support/audit-spool-child.ts");

/**
 * Review, durable audit: a process writing audit events while the database is down is killed with
 * SIGKILL; every event it had acknowledged is in the database after the next process starts, once.
 */
describe.each(testDatabases())("audit events across kill -9 on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);

  it("loses no acknowledged event and writes none twice", { timeout: 60_000 }, async () => {
    const org = await ensureOrganization(handle.db, `crash-${crypto.randomUUID().slice(0, 8)}`);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "porter-crash-")), "audit-spool", "eu-1.jsonl");
    const proc = spawn(process.execPath, ["--import", "tsx", child, file, org], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let acked = 0;
    const killed = new Promise<void>((resolve, reject) => {
      proc.once("exit", (code, signal) => {
        if (signal === "SIGKILL") resolve();
        else reject(new Error(`child exited ${String(code)}: ${stderr}`));
      });
    });
    for await (const line of createInterface({ input: proc.stdout })) {
      const n = /^acked (\d+)$/.exec(line)?.[1];
      if (!n) continue;
      acked = Number(n);
      // Killed mid-stream, while writes are in flight, as a crash or the OOM killer would.
      if (acked >= 150) proc.kill("SIGKILL");
    }
    await killed;
    expect(acked).toBeGreaterThanOrEqual(150);

    const next = createAuditWriter({ db: () => Promise.resolve(handle.db), spool: () => openSpool(file) });
    await next.recover();
    const reasons = (await listAuditEvents(handle.db, { organizationId: org }, { limit: 1000 })).events
      .map((e) => Number(String(e.details.reason).replace("forged delivery ", "")))
      .reverse();
    // Every acknowledged event, in order; at most the one in flight beyond them; none twice.
    expect(reasons.slice(0, acked)).toEqual(Array.from({ length: acked }, (_, i) => i + 1));
    expect(reasons.length - acked).toBeLessThanOrEqual(1);
    expect(await verifyChain(handle.db, org)).toMatchObject({ ok: true });
  });
});
