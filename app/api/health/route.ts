import { getSessionView } from "@/lib/auth";
import { isPlatformOperator } from "@/lib/okta-check";
import { getHealth, mayReadHealthDetails } from "@/lib/server/health";

/** Public: status and totals. Per-connection details: with HEALTH_TOKEN, or for a signed-in platform operator. */
export async function GET(request: Request): Promise<Response> {
  const details =
    mayReadHealthDetails(request.headers.get("authorization")) ||
    (await getSessionView()
      .then((view) => view !== null && isPlatformOperator(view))
      .catch(() => false));
  return Response.json(await getHealth({ details }), { headers: { "cache-control": "no-store" } });
}
