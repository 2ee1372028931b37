"use server";

import { z } from "zod";
import { actedBy, audit, auditEvent, verifyChainOnce } from "@/lib/audit";
import { action } from "@/lib/auth/access";
import { getDb } from "@/lib/db";

/** Walks the organization's audit chain and says whether it holds, or where it first breaks. */
export const verifyAuditAction = action(z.object({}), "audit.read", "audit.verify", async (_input, principal) => {
  const report = await verifyChainOnce(await getDb(), principal.organizationId);
  if (!report)
    return "A verification of this organization's chain is already running; its result is recorded in the audit log (audit.verified).";
  await audit(
    auditEvent(
      "audit.verified",
      { ok: report.ok, checked: report.checked, broken: report.broken, head: report.head },
      { ...actedBy(principal), outcome: report.ok ? "success" : "failure" },
    ),
  );
  const legacy =
    report.unchained > 0 ? ` ${String(report.unchained)} older event(s) predate the chain and are not covered.` : "";
  if (report.ok)
    return `The chain holds: ${String(report.checked)} event(s) checked, head ${report.head?.hash.slice(0, 16) ?? "none"}… (event ${String(report.head?.seq ?? 0)}).${legacy}`;
  return `The chain is broken at event ${String(report.broken?.seq ?? "?")}${report.broken?.id ? ` (id ${String(report.broken.id)})` : ""}: ${report.broken?.reason ?? "unknown"}. ${String(report.checked)} event(s) before it hold.${legacy}`;
});
