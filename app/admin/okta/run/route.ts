import { withPermission } from "@/lib/auth/access";
import { checkableConnections, recordOperatorAccess, runOktaCheck } from "@/lib/okta-check";
import { getConfig } from "@/lib/config";
import { jsonError } from "@/lib/http/error-response";
import { readRequestParams } from "@/lib/http/read-request-params";
import { redirectNoStore } from "@/lib/http/redirect";
import { isSameOriginRequest } from "@/lib/http/same-origin";

/**
 * POST /admin/okta/run (connection=NAME): starts the configuration check (it calls Okta, the Apps API
 * included, so it is a POST from porter's own page, never a GET a link could trigger), then shows it.
 */
export const POST = withPermission("rules.write", "okta_check.run", async (req, { principal, view }) => {
  if (!isSameOriginRequest(req.headers, getConfig().publicUrl))
    return jsonError(403, "cross_origin", "Start the check from porter's own page.", { "cache-control": "no-store" });
  const target = (await readRequestParams(req, 4_096)).get("connection") ?? principal.connection;
  if (!checkableConnections(view).includes(target))
    return jsonError(
      403,
      "forbidden",
      "You can run the configuration check on your own organization's connection only.",
      { "cache-control": "no-store" },
    );
  // Registered before anything else is awaited: a second request meanwhile joins this run (single flight).
  const run = runOktaCheck(principal, view, target);
  await recordOperatorAccess(principal, target, "ran the configuration check");
  await run;
  return redirectNoStore(
    `${getConfig().publicUrl}/admin/okta?${new URLSearchParams({ connection: target, watch: "1" }).toString()}`,
  );
});
