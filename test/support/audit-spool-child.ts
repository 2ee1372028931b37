/**
 * A process that writes audit events during a database outage, for lib/audit/spool-crash.test.ts: every
 * write fails as an unreachable PostgreSQL would (ECONNREFUSED), so each event goes to the spool. It prints
 * "acked <n>" once write() resolved for event n, and keeps writing until it is killed.
 *   tsx test/support/audit-spool-child.ts <spool file> <organization id>
 */
import { auditEvent } from "../../lib/audit/events";
import { openSpool } from "../../lib/audit/spool";
import { createAuditWriter } from "../../lib/audit/writer";

const [file, organizationId] = process.argv.slice(2);
if (!file || !organizationId) throw new Error("usage: audit-spool-child.ts <spool file> <organization id>");

const outage = () =>
  Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
const writer = createAuditWriter({ db: outage, spool: () => openSpool(file), retryMs: 1_000, maxRetryMs: 1_000 });

for (let n = 1; ; n++) {
  await writer.write(
    auditEvent("okta.hook_rejected", { reason: `forged delivery ${String(n)}` }, { organizationId, reason: "secret" }),
  );
  process.stdout.write(`acked ${String(n)}\n`);
}
