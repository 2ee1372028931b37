import { CONNECTION_NAME_PATTERN } from "@/lib/config";
import { readLoginParams } from "@/lib/http/read-login-params";

/** The start page's organization form: on to that organization's direct login URL (which 404s if unknown). */
export async function GET(request: Request): Promise<Response> {
  const organization = (new URL(request.url).searchParams.get("organization") ?? "").trim().toLowerCase();
  const { callbackUrl } = await readLoginParams(request);
  if (!CONNECTION_NAME_PATTERN.test(organization)) {
    return new Response(null, { status: 303, headers: { location: "/?organization=invalid", "cache-control": "no-store" } });
  }
  const query = callbackUrl ? `?${new URLSearchParams({ callbackUrl }).toString()}` : "";
  return new Response(null, { status: 303, headers: { location: `/login/${organization}${query}`, "cache-control": "no-store" } });
}
