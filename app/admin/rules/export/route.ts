import { formatRulesDocument } from "@/lib/rules";
import { getOrganizationRules } from "@/lib/organizations";
import { withPermission } from "@/lib/auth/access";
import { getDb } from "@/lib/db";
import { jsonError } from "@/lib/http/error-response";

/** GET /admin/rules/export?format=yaml|json: the organization's rules as code, to keep in git. */
export const GET = withPermission("rules.read", "rules.export", async (req, { principal }) => {
  const format = new URL(req.url).searchParams.get("format") ?? "yaml";
  if (format !== "yaml" && format !== "json")
    return jsonError(400, "invalid_format", "format must be yaml or json.", { "cache-control": "no-store" });
  const text = formatRulesDocument(
    principal.connection,
    await getOrganizationRules(await getDb(), principal.organizationId),
    format,
  );
  return new Response(text, {
    headers: {
      "content-type": format === "json" ? "application/json; charset=utf-8" : "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="porter-rules-${principal.connection}.${format === "json" ? "json" : "yaml"}"`,
      "cache-control": "no-store",
    },
  });
});
