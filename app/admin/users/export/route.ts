import { iterateAccessReview } from "@/lib/people";
import { actedBy, audit } from "@/lib/audit";
import { csvStream } from "@/lib/audit/export";
import { withPermission } from "@/lib/auth/access";
import { getDb } from "@/lib/db";
import { requestClient } from "@/lib/http/client-ip";

const COLUMNS = ["email", "name", "okta_sub", "status", "provisioned", "role", "via_group", "via_rule", "last_sign_in"];

/**
 * Access review (Okta Identity Governance certification, SOC 2 evidence): every person (everyone Okta
 * provisioned too, signed in or not) with their status, each role, the group and rule it came from, and
 * their last sign-in, as CSV streamed from the database.
 */
export const GET = withPermission("users.read", "users.export", async (req, { principal }) => {
  await audit({
    type: "audit.exported",
    ...actedBy(principal),
    ...requestClient(req.headers),
    details: { format: "csv", what: "access review" },
  });
  const body = csvStream(iterateAccessReview(await getDb(), principal.organizationId), COLUMNS, (u) => {
    const base = [u.email ?? "", u.name ?? "", u.sub, u.status, u.provisioned ? "yes" : "no"];
    const last = u.lastSignInAt?.toISOString() ?? "";
    if (u.roles.length === 0) return [[...base, "", "", "", last]];
    return u.roles.flatMap((r) => r.via.map((v) => [...base, r.role, v.group ?? "", v.rule, last]));
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="porter-access-review-${principal.connection}-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
});
