import { actedBy, audit, parseAuditQuery } from "@/lib/audit";
import { exportStream } from "@/lib/audit/export";
import { withPermission } from "@/lib/auth/access";
import { getDb } from "@/lib/db";
import { jsonError } from "@/lib/http/error-response";
import { requestClient } from "@/lib/http/client-ip";

/** GET /admin/audit/export?format=csv|ndjson with the page's filters: the organization's events, streamed. */
export const GET = withPermission("audit.read", "audit.export", async (req, { principal }) => {
  const parsed = parseAuditQuery(new URL(req.url).searchParams);
  if (!parsed.ok) return jsonError(400, "invalid_filter", parsed.message, { "cache-control": "no-store" });
  const { types, since, until, actor, q, format = "csv" } = parsed.query;
  const filter = { types, since, until, actor, q };
  await audit({
    type: "audit.exported",
    ...actedBy(principal),
    ...requestClient(req.headers),
    details: { format, filter: { types, actor, q, since: since?.toISOString(), until: until?.toISOString() } },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const body = exportStream(await getDb(), { ...filter, organizationId: principal.organizationId }, format);
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="porter-audit-${principal.connection}-${stamp}.${format === "csv" ? "csv" : "ndjson"}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
