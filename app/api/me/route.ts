import { getSessionView } from "@/lib/auth";
import { jsonError } from "@/lib/http/error-response";

/** The signed-in person (DESIGN.md contract). 401 JSON when there is no valid session. */
export async function GET(): Promise<Response> {
  const view = await getSessionView();
  if (!view)
    return jsonError(401, "unauthenticated", "Sign in first: this request carries no valid porter session.", {
      "cache-control": "no-store",
    });
  return Response.json(
    {
      user: { sub: view.user.sub, email: view.user.email, name: view.user.name },
      connection: view.connection,
      region: view.region,
      groups: view.groups,
      roles: view.roles,
      permissions: view.permissions,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
